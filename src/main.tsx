import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './ui/app.css';
import { App } from './ui/App';
import { installEffects } from './ui/actions/effects';
import { loadPresets } from './ui/actions/plan';
import { openSample, openUrl, SAMPLES } from './ui/actions/open';
import { layoutClient } from './ui/workers';

/** How long the page waits for a file before warming ELK up (a person takes longer to find one). */
const WARM_UP_DELAY_MS = 1000;

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
  // Not when the URL names a model: its own layout comes at once and would wait behind the warm-up's. The
  // worker (and ELK's code) loads now; the warm-up's layouts start a moment later, when no file has come
  // yet (finding one takes a person longer): a model dropped sooner skips them (workers/layout/warm-up.ts).
  const layout = layoutClient();
  setTimeout(() => {
    void layout.warmUp().then((outcome) => {
      if (outcome.ok) document.documentElement.dataset.layoutWarm = 'true';
    });
  }, WARM_UP_DELAY_MS);
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
