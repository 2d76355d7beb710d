// Opening a model: the start screen (drop zone, picker, URL, samples), the page-wide drop target, and the
// "Open" button of the top bar.

import { useEffect, useRef, useState } from 'react';
import { openFiles, openSample, openUrl, SAMPLES } from '../actions/open';

export function FilePickerButton({
  label = 'Open model…',
  primary = false,
  testId = 'file-input',
}: {
  label?: string;
  primary?: boolean;
  testId?: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className={primary ? 'primary' : undefined} onClick={() => input.current?.click()}>
        {label}
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid={testId}
        aria-label="Choose an ONNX model and its external-data files"
        onChange={(event) => {
          const files = [...(event.target.files ?? [])];
          event.target.value = '';
          void openFiles(files);
        }}
      />
    </>
  );
}

function UrlForm() {
  const [url, setUrl] = useState('');
  return (
    <form
      className="url-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (url.trim()) void openUrl(url.trim());
      }}
    >
      <input type="text" placeholder="https://…/model.onnx" aria-label="Model URL" value={url} onChange={(event) => setUrl(event.target.value)} />
      <button type="submit" disabled={!url.trim()}>
        Open URL
      </button>
    </form>
  );
}

export function Welcome() {
  return (
    <div className="welcome">
      <div className="dropzone" data-testid="dropzone">
        <h1>Drop an ONNX model here</h1>
        <p>
          With its external-data files, if it has any. It is parsed, planned and converted in this tab: nothing
          leaves your machine.
        </p>
        <FilePickerButton label="Choose a file…" primary testId="file-input-start" />
        <UrlForm />
        <div className="samples">
          {SAMPLES.map((sample) => (
            <button key={sample.file} type="button" className="sample" data-testid={`sample-${sample.file}`} onClick={() => void openSample(sample)}>
              {sample.label}
              <small>{sample.about}</small>
            </button>
          ))}
        </div>
      </div>
    </div>
  );
}

/** Files dropped anywhere on the page open; an overlay says so while dragging. */
export function PageDropTarget() {
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    let depth = 0;
    const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;
    const onEnter = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      depth++;
      setDragging(true);
    };
    const onLeave = () => {
      depth = Math.max(0, depth - 1);
      if (!depth) setDragging(false);
    };
    const onOver = (event: DragEvent) => {
      if (hasFiles(event)) event.preventDefault();
    };
    const onDrop = (event: DragEvent) => {
      event.preventDefault();
      depth = 0;
      setDragging(false);
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length) void openFiles(files);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('dragover', onOver);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('drop', onDrop);
    };
  }, []);
  return dragging ? <div className="drop-overlay">Drop to open</div> : null;
}
