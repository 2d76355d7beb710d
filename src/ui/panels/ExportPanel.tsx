// Export: the converted model, the recipe, the CLI command that reproduces it; recipe import.

import { useEffect, useRef, useState } from 'react';
import { cliCommand, exportModel, exportRecipe, importRecipe, outputNames } from '../actions/export';
import { useApp } from '../store';

/**
 * The command's arguments (a quoted one stays whole). Each is drawn as one unbreakable piece, so the command
 * wraps between arguments and never at a hyphen inside a file name; selecting it copies the same text.
 */
function cliTokens(command: string): string[] {
  return command.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [];
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (an http origin, a headless browser): fall back to a selection copy.
    const area = document.createElement('textarea');
    area.value = text;
    document.body.append(area);
    area.select();
    const copied = document.execCommand('copy');
    area.remove();
    return copied;
  }
}

function CliCommand() {
  const recipe = useApp((state) => state.recipe);
  const model = useApp((state) => state.model);
  const [command, setCommand] = useState('');
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    let live = true;
    void cliCommand().then((text) => live && setCommand(text));
    return () => {
      live = false;
    };
  }, [recipe, model]);
  return (
    <>
      <div className="cli" data-testid="cli-command">
        {cliTokens(command).map((token, index) => (
          <span key={index}>
            {index > 0 && ' '}
            <span className="cli-token">{token}</span>
          </span>
        ))}
      </div>
      <div className="row">
        <button
          type="button"
          onClick={() => {
            void copyText(command).then((ok) => {
              setCopied(ok);
              setTimeout(() => setCopied(false), 1500);
            });
          }}
        >
          {copied ? 'Copied' : 'Copy command'}
        </button>
      </div>
    </>
  );
}

export function ExportPanel() {
  const model = useApp((state) => state.model);
  const [busy, setBusy] = useState(false);
  const importRef = useRef<HTMLInputElement>(null);
  const low = useApp((state) => state.recipe.lowPrecision);
  if (!model) return null;
  const names = outputNames(model.fileName, low);
  return (
    <div className="stack">
      <div className="section-title">converted model</div>
      <button
        type="button"
        className="primary"
        data-testid="export-model"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void exportModel().finally(() => setBusy(false));
        }}
      >
        {busy ? 'Converting…' : `Download ${names.model}`}
      </button>
      <div className="section-title">recipe</div>
      <button type="button" data-testid="export-recipe" onClick={() => void exportRecipe()}>
        Download {names.recipe}
      </button>
      <button type="button" data-testid="import-recipe" onClick={() => importRef.current?.click()}>
        Import a recipe…
      </button>
      <input
        ref={importRef}
        type="file"
        accept=".json,application/json"
        hidden
        data-testid="import-recipe-input"
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = '';
          if (file) void importRecipe(file);
        }}
      />
      <div className="section-title">same conversion from the command line</div>
      <CliCommand />
      <p className="muted" style={{ fontSize: 12 }}>
        Save the recipe next to the model and run the command: the CLI uses the same engine and writes the
        same bytes.
      </p>
    </div>
  );
}
