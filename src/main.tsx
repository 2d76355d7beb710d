import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './ui/app.css';
import { App } from './ui/App';
import { installEffects } from './ui/actions/effects';
import { loadPresets } from './ui/actions/plan';
import { openSample, openUrl, SAMPLES } from './ui/actions/open';
import { layoutClient } from './ui/workers';

installEffects();
void loadPresets();

// Deep links: ?url=https://host/model.onnx opens a model, ?sample=bert-tiny-o14.onnx a bundled one.
const params = new URLSearchParams(location.search);
const url = params.get('url');
const sample = SAMPLES.find((entry) => entry.file === params.get('sample'));
if (url) void openUrl(url);
else if (sample) void openSample(sample);
else {
  // Start ELK compiling while the user picks a file: the first real layout is then several times faster.
  // Not when the URL names a model: its own layout comes at once and would wait behind the warm-up's.
  void layoutClient()
    .warmUp()
    .then((outcome) => {
      if (outcome.ok) document.documentElement.dataset.layoutWarm = 'true';
    });
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
