// Presets, name rules (scopes, globs, regular expressions), blocked nodes and the recipe's settings.

import { useState } from 'react';
import { LOW_PRECISIONS, TARGET_EPS, type LowPrecision, type Objective, type TargetEp } from '../../core/index';
import { ruleProblem } from '../../core/index';
import { applyPreset, editRecipe, togglePattern, toggleNodeBlock } from '../actions/recipe-edits';
import { useApp } from '../store';


function Presets() {
  const presets = useApp((state) => state.presets);
  return (
    <div className="preset-row">
      {presets.map((preset) => (
        <button key={preset.id} type="button" onClick={() => applyPreset(preset.id)} data-testid={`preset-${preset.id}`}>
          {preset.label}
        </button>
      ))}
      {!presets.length && <span className="muted">loading…</span>}
    </div>
  );
}

function PatternRules() {
  const patterns = useApp((state) => state.recipe.patterns);
  const [draft, setDraft] = useState('');
  // A rule the engine refuses (backreferences, lookaround, bad syntax) is shown with the reason and not added.
  const [refused, setRefused] = useState<string | undefined>();
  const add = () => {
    const rule = draft.trim();
    const problem = rule ? ruleProblem(rule) : undefined;
    setRefused(problem);
    if (problem) return;
    if (rule && !patterns.includes(rule)) togglePattern(draft);
    setDraft('');
  };
  return (
    <>
      <form
        className="row"
        onSubmit={(event) => {
          event.preventDefault();
          add();
        }}
      >
        <input
          type="text"
          placeholder="/e/layers.0/  ·  *LayerNorm*  ·  re:softmax|pow"
          aria-label="New name rule"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit" disabled={!draft.trim()}>
          Add
        </button>
      </form>
      {refused && (
        <p className="notice error" role="alert" data-testid="pattern-refused">
          {refused}
        </p>
      )}
      <ul className="rule-list" data-testid="pattern-list">
        {patterns.map((pattern) => (
          <li key={pattern}>
            <span className="mono" title={pattern}>
              {pattern}
            </span>
            <button type="button" aria-label={`Remove rule ${pattern}`} onClick={() => togglePattern(pattern)}>
              ×
            </button>
          </li>
        ))}
        {!patterns.length && <li className="muted">No name rules. A scope prefix, a glob with *, or re: and a regular expression.</li>}
      </ul>
    </>
  );
}

function BlockedNodes() {
  const names = useApp((state) => state.recipe.nodeBlockList);
  return (
    <ul className="rule-list" data-testid="node-block-list">
      {names.map((name) => (
        <li key={name}>
          <span className="mono" title={name}>
            {name}
          </span>
          <button type="button" aria-label={`Remove ${name} from the block list`} onClick={() => toggleNodeBlock(name)}>
            ×
          </button>
        </li>
      ))}
      {!names.length && <li className="muted">Use the lock on a node, or B on the keyboard.</li>}
    </ul>
  );
}

function Settings() {
  const recipe = useApp((state) => state.recipe);
  return (
    <>
      <label className="field">
        <span>keep IO types</span>
        <input
          type="checkbox"
          checked={recipe.keepIoTypes}
          onChange={(event) => editRecipe((current) => ({ ...current, keepIoTypes: event.target.checked }))}
        />
      </label>
      <label className="field">
        <span>target EP</span>
        <select
          value={recipe.targetEp}
          onChange={(event) => editRecipe((current) => ({ ...current, targetEp: event.target.value as TargetEp }))}
        >
          {TARGET_EPS.map((ep) => (
            <option key={ep} value={ep}>
              {ep}
            </option>
          ))}
        </select>
      </label>
      {recipe.targetEp === 'cuda' && (
        <label
          className="field"
          title="Your CUDA sessions set onnxruntime's CUDA EP option enable_skip_layer_norm_strict_mode=1 (off by default). Then a blocked SkipLayerNormalization computes in fp32 at fp16 I/O, so it needs no Casts; the counts bar names the option the session must set."
        >
          <span>strict SkipLayerNorm sessions</span>
          <input
            type="checkbox"
            data-testid="skip-layer-norm-strict"
            checked={recipe.skipLayerNormStrictMode}
            onChange={(event) => editRecipe((current) => ({ ...current, skipLayerNormStrictMode: event.target.checked }))}
          />
        </label>
      )}
      <label className="field">
        <span>minimise</span>
        <select
          value={recipe.objective}
          onChange={(event) => editRecipe((current) => ({ ...current, objective: event.target.value as Objective }))}
        >
          <option value="nodes">Cast nodes</option>
          <option value="bytes">bytes cast</option>
        </select>
      </label>
      <label className="field" title="One low type per model. bf16 keeps float32's range (nothing clamped, no overflow to inf) with 8 bits of precision; ops without a bf16 kernel on the target EP stay fp32.">
        <span>low precision</span>
        <select
          data-testid="low-precision"
          value={recipe.lowPrecision}
          onChange={(event) => editRecipe((current) => ({ ...current, lowPrecision: event.target.value as LowPrecision }))}
        >
          {LOW_PRECISIONS.map((low) => (
            <option key={low} value={low}>
              {low}
            </option>
          ))}
        </select>
      </label>
      <DimsEditor />
    </>
  );
}

function DimsEditor() {
  const dims = useApp((state) => state.recipe.dims);
  const [name, setName] = useState('');
  const [size, setSize] = useState('1');
  return (
    <>
      <div className="section-title">symbolic dims (bytes objective)</div>
      <ul className="rule-list">
        {Object.entries(dims).map(([dim, value]) => (
          <li key={dim}>
            <span className="mono">
              {dim} = {value}
            </span>
            <button
              type="button"
              aria-label={`Remove dim ${dim}`}
              onClick={() =>
                editRecipe((current) => {
                  const next = { ...current.dims };
                  delete next[dim];
                  return { ...current, dims: next };
                })
              }
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <form
        className="row"
        onSubmit={(event) => {
          event.preventDefault();
          const value = Number(size);
          if (!name.trim() || !Number.isInteger(value) || value < 1) return;
          editRecipe((current) => ({ ...current, dims: { ...current.dims, [name.trim()]: value } }));
          setName('');
        }}
      >
        <input type="text" placeholder="sequence" aria-label="Dim name" value={name} onChange={(event) => setName(event.target.value)} />
        <input
          type="number"
          min={1}
          style={{ width: 76 }}
          aria-label="Dim size"
          value={size}
          onChange={(event) => setSize(event.target.value)}
        />
        <button type="submit">Set</button>
      </form>
    </>
  );
}

export function RulesPanel() {
  return (
    <div>
      <div className="section-title">presets</div>
      <Presets />
      <div className="section-title">name rules (fp32)</div>
      <PatternRules />
      <div className="section-title">nodes kept in fp32</div>
      <BlockedNodes />
      <div className="section-title">settings</div>
      <Settings />
    </div>
  );
}
