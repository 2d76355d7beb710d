// A long ONNX name (`/encoder/layers.3/self_attn/Softmax`, `encoder_hidden_states`) that wraps at its own
// separators instead of at whatever character meets the panel's edge. <wbr> marks a break opportunity
// without adding a character, so a copied name stays the name.

import { Fragment } from 'react';

/** Splits after '/', '.', '_', ',' and ':' (kept with the part before them). */
function breakParts(text: string): string[] {
  return text.match(/[^/._,:]*[/._,:]?/g)?.filter(Boolean) ?? [text];
}

export function Breakable({ text }: { text: string }) {
  const parts = breakParts(text);
  return (
    <>
      {parts.map((part, index) => (
        <Fragment key={index}>
          {part}
          {index < parts.length - 1 && <wbr />}
        </Fragment>
      ))}
    </>
  );
}
