// Issue 12, item 8: a graph that reads like a good graph tool. Edges follow ELK's routes (around boxes, not
// curves through them), panel text is not clipped, scope "fp32" pills look like buttons, switches read
// on/off the right way round. Screenshots go to test-results/screenshots/graph-*.png.

import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { dropFiles, fixture, planSeq, ROOT, screenshot, waitForGraph, waitForPlan } from './helpers';

const PEGASUS = 'pegasus-small-o14-encoder.onnx';
const DECODER = 'pegasus-small-o14-decoder.onnx';

/** Points of drawn edges that lie inside a box other than the edge's own ends, in screen pixels. */
async function edgesThroughBoxes(page: Page): Promise<number> {
  return page.evaluate(() => {
    const boxes = [...document.querySelectorAll<HTMLElement>('.react-flow__node-op, .react-flow__node-scope')].map((node) => ({
      id: node.dataset.id ?? '',
      rect: node.getBoundingClientRect(),
    }));
    let inside = 0;
    for (const edge of document.querySelectorAll<SVGGElement>('.react-flow__edge')) {
      const path = edge.querySelector<SVGPathElement>('path.react-flow__edge-path');
      if (!path) continue;
      const [source, target] = (edge.getAttribute('data-testid') ?? '').replace('rf__edge-', '').replace(/^e:/, '').split('>');
      const matrix = path.getScreenCTM();
      if (!matrix) continue;
      const length = path.getTotalLength();
      for (let at = 0; at <= length; at += 6) {
        const p = new DOMPoint(path.getPointAtLength(at).x, path.getPointAtLength(at).y).matrixTransform(matrix);
        for (const box of boxes) {
          if (box.id === source || box.id === target) continue;
          const r = box.rect;
          if (p.x > r.left + 3 && p.x < r.right - 3 && p.y > r.top + 3 && p.y < r.bottom - 3) inside++;
        }
      }
    }
    return inside;
  });
}

test('edges follow ELK routes around the boxes', async ({ page }) => {
  await page.goto('/');
  await dropFiles(page, [fixture(PEGASUS)]);
  await waitForGraph(page, PEGASUS);
  // The opening view, at a readable zoom: the first layers with the attention mask's long edges.
  await screenshot(page, 'graph-edges');
  expect(await page.locator('.react-flow__edge').count()).toBeGreaterThan(10);
  expect(await edgesThroughBoxes(page)).toBe(0);
  // Opened further (a layer's attention), still around the boxes.
  await page.getByTestId('search').fill('Softmax');
  await page.getByTestId('search').press('Enter');
  await expect(page.getByTestId('details')).toContainText('Softmax');
  await page.waitForTimeout(500);
  await screenshot(page, 'graph-edges-softmax');
  expect(await edgesThroughBoxes(page)).toBe(0);
});

/** The canvas zoom, from the viewport's transform. */
async function zoom(page: Page): Promise<number> {
  return page.locator('.react-flow__viewport').evaluate((el) => new DOMMatrixReadOnly(getComputedStyle(el).transform).a);
}

test('F and the fit button keep the graph readable: a tall graph is framed at its top, not as a thin column', async ({ page }) => {
  await page.goto('/');
  await dropFiles(page, [fixture(PEGASUS)]);
  await waitForGraph(page, PEGASUS);
  await page.getByTestId('graph').focus();
  await page.keyboard.press('f');
  await page.waitForTimeout(400);
  expect(await zoom(page)).toBeGreaterThanOrEqual(0.45);
  await expect(page.locator('.react-flow__node-op').first()).toBeVisible();
  await page.mouse.wheel(0, 600);
  await page.getByTestId('fit-graph').click();
  await page.waitForTimeout(400);
  expect(await zoom(page)).toBeGreaterThanOrEqual(0.45);
  await screenshot(page, 'graph-fit');
});

test('panel text is not clipped: long input names, the CLI command', async ({ page }) => {
  await page.goto('/');
  await dropFiles(page, [fixture(DECODER)]);
  await waitForGraph(page, DECODER);
  // Every symbolic dim and input shape line in the precision panel is shown in full.
  const clipped = await page.getByTestId('precision-panel').evaluate((panel) =>
    [...panel.querySelectorAll<HTMLElement>('.prec-field span, .prec-input-shapes li')].filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent),
  );
  expect(clipped).toEqual([]);
  await expect(page.getByTestId('precision-input-shapes')).toContainText('encoder_hidden_states');
  // The graph's input pills show their whole name on one line.
  const pills = await page.locator('.io-node').evaluateAll((nodes) =>
    nodes.map((node) => ({ text: node.textContent, clipped: node.scrollWidth > node.clientWidth + 1, lines: Math.round(node.getBoundingClientRect().height / 14) })),
  );
  expect(pills.map((pill) => pill.text)).toEqual(expect.arrayContaining([expect.stringContaining('encoder_hidden_states')]));
  expect(pills.filter((pill) => pill.clipped)).toEqual([]);
  // Details wrap at spaces and name separators, never by breaking every character (word-break: break-all).
  const breakAll = await page.getByTestId('details').evaluate((panel) =>
    [...panel.querySelectorAll<HTMLElement>('h2, dd, .value-name')].filter((el) => getComputedStyle(el).wordBreak === 'break-all').length,
  );
  expect(breakAll).toBe(0);
  // The search box's hint is whole: the toolbar squeezed "Search name or op type ( / )" to its first words.
  const hint = await page.getByTestId('search').evaluate((input: HTMLInputElement) => {
    const style = getComputedStyle(input);
    const context = document.createElement('canvas').getContext('2d')!;
    context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return { text: input.placeholder, width: context.measureText(input.placeholder).width, room };
  });
  expect(hint.width, hint.text).toBeLessThanOrEqual(hint.room);
  // Open scopes' frames show their whole title beside their buttons ("embeddings" read "embe…").
  const frames = await page.locator('.container-header span').evaluateAll((spans) =>
    spans.map((span) => ({ text: span.textContent, clipped: span.scrollWidth > span.clientWidth + 1 })),
  );
  expect(frames.length).toBeGreaterThan(0);
  expect(frames.filter((frame) => frame.clipped)).toEqual([]);
  // The CLI command wraps between arguments, never inside one.
  await page.getByTestId('tab-export').click();
  const command = page.getByTestId('cli-command');
  await expect(command).toContainText('convert');
  const wrap = await command.evaluate((el) => ({ wordBreak: getComputedStyle(el).wordBreak, overflowWrap: getComputedStyle(el).overflowWrap, overflow: el.scrollWidth - el.clientWidth }));
  expect(wrap.wordBreak).not.toBe('break-all');
  expect(wrap.overflow).toBeLessThanOrEqual(0);
  // Each argument that fits on a line is on one line (no break at the hyphens of a file name).
  const split = await command.evaluate((el) =>
    [...el.querySelectorAll<HTMLElement>('.cli-token')].filter((token) => token.getClientRects().length > 1 || token.getBoundingClientRect().height > 20).map((token) => token.textContent),
  );
  expect(split).toEqual([]);
  expect(await command.innerText()).toMatch(/^npx castaway convert pegasus-small-o14-decoder\.onnx -o pegasus-small-o14-decoder\.fp16\.onnx/);
  await screenshot(page, 'graph-panels-text');
});

test('switches read on when the op type is kept in fp32; scope fp32 pills are buttons', async ({ page }) => {
  await page.goto('/');
  await dropFiles(page, [fixture(PEGASUS)]);
  await waitForGraph(page, PEGASUS);
  const softmax = page.getByRole('checkbox', { name: 'Keep Softmax in fp32' });
  const look = () => softmax.evaluate((el) => getComputedStyle(el).backgroundColor);
  const off = await look();
  await softmax.check();
  const on = await look();
  // Off is a grey track (a coloured one reads as on); on takes the fp32 colour, the state it turns on.
  const saturation = (colour: string) => {
    const [r, g, b] = (colour.match(/\d+(\.\d+)?/g) ?? []).map(Number);
    const max = Math.max(r, g, b);
    return max ? (max - Math.min(r, g, b)) / max : 0;
  };
  expect(saturation(off)).toBeLessThan(0.25);
  expect(on).not.toBe(off);
  const fp32 = await page.evaluate(() => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--fp32)';
    document.querySelector('.app')!.append(probe);
    const colour = getComputedStyle(probe).color;
    probe.remove();
    return colour;
  });
  expect(on).toBe(fp32);
  await screenshot(page, 'graph-switches');
  // An open scope's fp32 control is a real button with a label that says what it does.
  const pill = page.locator('.react-flow__node-container button.scope-rule').first();
  await expect(pill).toBeVisible();
  await expect(pill).toHaveAttribute('aria-label', /Keep .* in fp32/);
});

/** Pairs of Cast labels on the canvas whose boxes overlap, and how many labels there are. */
async function labelCollisions(page: Page): Promise<{ labels: number; overlapping: string[] }> {
  return page.evaluate(() => {
    const labels = [...document.querySelectorAll<SVGGElement>('.react-flow__edge.boundary .react-flow__edge-textwrapper')].map((label) => ({
      text: label.textContent ?? '',
      rect: label.getBoundingClientRect(),
    }));
    const overlapping: string[] = [];
    labels.forEach((a, i) => {
      for (const b of labels.slice(i + 1)) {
        const r = a.rect;
        const s = b.rect;
        if (r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom) overlapping.push(`${a.text} @${Math.round(r.x)},${Math.round(r.y)} / ${b.text} @${Math.round(s.x)},${Math.round(s.y)}`);
      }
    });
    return { labels: labels.length, overlapping };
  });
}

test('Cast labels do not collide, even where many boundary edges leave one box', async ({ page }) => {
  await page.goto('/');
  await dropFiles(page, [fixture(DECODER)]);
  await waitForGraph(page, DECODER);
  // Add and Mul in fp32: 84 Casts, several edges fanning out of one box each with a label.
  for (const op of ['Add', 'Mul']) {
    const seq = await planSeq(page);
    await page.getByRole('checkbox', { name: `Keep ${op} in fp32` }).check();
    await waitForPlan(page, seq);
  }
  await expect(page.getByTestId('graph')).toHaveAttribute('data-plan-seq', String(await planSeq(page)));
  // Zoomed out so that every label of the first layers is on screen (only on-screen edges are drawn).
  for (let step = 0; step < 4; step++) {
    await page.locator('.react-flow__controls-zoomout').click();
    await page.waitForTimeout(250);
  }
  await page.waitForTimeout(400);
  const { labels, overlapping } = await labelCollisions(page);
  await screenshot(page, 'graph-cast-labels');
  expect(labels).toBeGreaterThanOrEqual(6);
  expect(overlapping).toEqual([]);
  await screenshot(page, 'graph-cast-labels');
});

const PADDLE = join(ROOT, 'fixtures', 'paddle', 'ppocr-mobile-v2-cls.onnx');

test('chunks of a flat paddle2onnx graph are titled by what they hold, not "nodes 120–239"', async ({ page }) => {
  await page.goto('/');
  await dropFiles(page, [PADDLE]);
  await waitForGraph(page, 'ppocr-mobile-v2-cls.onnx');
  // Every scope box and frame on the canvas: closed chunks and open ones.
  const titles = await page.locator('.react-flow__node-scope, .react-flow__node-container').evaluateAll((nodes) =>
    nodes.map((node) => node.querySelector<HTMLElement>('.group-title span, .container-header span')?.textContent ?? ''),
  );
  expect(titles.length).toBeGreaterThanOrEqual(1);
  expect(titles.filter((title) => /nodes \d+/.test(title))).toEqual([]);
  expect(titles.every((title) => /^Conv \d+(–\d+)?/.test(title))).toBe(true);
  await screenshot(page, 'graph-paddle-chunks');
});

test('the minimap has its own strip: it never covers a box', async ({ page }) => {
  await page.goto('/');
  await dropFiles(page, [PADDLE]);
  await waitForGraph(page, 'ppocr-mobile-v2-cls.onnx');
  const minimap = page.locator('.react-flow__minimap');
  await expect(minimap).toBeVisible();
  const covered = async () =>
    page.evaluate(() => {
      const map = document.querySelector('.react-flow__minimap')!.getBoundingClientRect();
      const canvas = document.querySelector('.react-flow')!.getBoundingClientRect();
      const boxes = [...document.querySelectorAll('.react-flow__node')].map((node) => node.getBoundingClientRect());
      const meets = (r: DOMRect) => r.left < map.right && map.left < r.right && r.top < map.bottom && map.top < r.bottom;
      // Boxes are clipped to the canvas: a minimap outside the canvas covers none, wherever the view is panned.
      return { overCanvas: meets(canvas), boxesUnder: boxes.filter(meets).length, boxes: boxes.length };
    });
  expect(await covered()).toEqual(expect.objectContaining({ overCanvas: false, boxesUnder: 0 }));
  // Panned so that boxes fill the bottom-right corner, where the minimap used to sit.
  await page.mouse.move(700, 600);
  await page.mouse.down();
  await page.mouse.move(500, 300, { steps: 5 });
  await page.mouse.up();
  const after = await covered();
  expect(after.boxes).toBeGreaterThan(5);
  expect(after).toEqual(expect.objectContaining({ overCanvas: false, boxesUnder: 0 }));
  await screenshot(page, 'graph-minimap');
});

test('closed scopes show their whole title (the 64-layer decoder opens with them)', async ({ page }) => {
  const deep = join(ROOT, 'fixtures', 'bench', 'pegasus-deep64-o14-decoder.onnx');
  await page.goto('/');
  await dropFiles(page, [deep]);
  await waitForGraph(page, 'pegasus-deep64-o14-decoder.onnx');
  const groups = await page.locator('.group-title span:first-child').evaluateAll((spans) =>
    spans.map((span) => ({ text: span.textContent, clipped: span.scrollWidth > span.clientWidth + 1 })),
  );
  expect(groups.map((group) => group.text)).toContain('encoder_attn_layer_norm');
  expect(groups.filter((group) => group.clipped)).toEqual([]);
  await screenshot(page, 'graph-deep64-open');
});

test('the graph toolbar wraps on a 1280 px window instead of running into the details panel', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  await dropFiles(page, [fixture(DECODER)]);
  await waitForGraph(page, DECODER);
  const layout = await page.locator('.graph-toolbar').evaluate((bar) => {
    const edge = bar.getBoundingClientRect().right;
    const input = bar.querySelector<HTMLInputElement>('[data-testid="search"]')!;
    const style = getComputedStyle(input);
    const context = document.createElement('canvas').getContext('2d')!;
    context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    return {
      outside: [...bar.querySelectorAll<HTMLElement>('.legend span, label, [data-testid="unit-count"], .search')]
        .filter((el) => el.getBoundingClientRect().right > edge + 0.5)
        .map((el) => el.textContent),
      hint: context.measureText(input.placeholder).width,
      room: input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
    };
  });
  expect(layout.outside).toEqual([]);
  expect(layout.hint).toBeLessThanOrEqual(layout.room);
  await screenshot(page, 'graph-toolbar-1280');
});

test('a long attribute name in the details panel does not run over its value', async ({ page }) => {
  // A Resize with the attributes a paddle2onnx detector's upsampling has ("coordinate_transformation_mode"
  // ran over "asymmetric"): fixtures/app/upsample-attributes.onnx (src/core/testing/upsample-attributes.ts).
  await page.goto('/');
  await dropFiles(page, [join(ROOT, 'fixtures', 'app', 'upsample-attributes.onnx')]);
  await waitForGraph(page, 'upsample-attributes.onnx');
  await page.getByTestId('search').fill('upsample');
  await page.getByTestId('search').press('Enter');
  await expect(page.getByTestId('details')).toContainText('coordinate_transformation_mode');
  const overlapping = await page.getByTestId('details').evaluate((panel) =>
    [...panel.querySelectorAll<HTMLElement>('.kv dt')]
      .filter((dt) => {
        const dd = dt.nextElementSibling as HTMLElement | null;
        return dt.scrollWidth > dt.clientWidth + 1 || (dd !== null && dt.getBoundingClientRect().right > dd.getBoundingClientRect().left + 0.5 && dt.getBoundingClientRect().bottom > dd.getBoundingClientRect().top + 0.5 && dd.getBoundingClientRect().bottom > dt.getBoundingClientRect().top + 0.5);
      })
      .map((dt) => dt.textContent),
  );
  expect(overlapping).toEqual([]);
  await screenshot(page, 'graph-details-attributes');
});

// The real-run tables fitting the panel (p90, cosine and inf/NaN not cut off at its edge) is checked in
// precision.spec.ts, on the pegasus real run it makes anyway: a page of its own here cost a model open,
// onnxruntime-web's start and a real run (~10 s of CPU) for the same table (docs/ci.md, fifth pass).

test('a tall graph opens at its top, its whole width shown when a legible zoom allows', async ({ page }) => {
  await page.goto('/');
  await dropFiles(page, [fixture(PEGASUS)]);
  await waitForGraph(page, PEGASUS);
  const sides = async () =>
    page.evaluate(() => {
      const canvas = document.querySelector('.react-flow')!.getBoundingClientRect();
      const zoom = new DOMMatrixReadOnly(getComputedStyle(document.querySelector('.react-flow__viewport')!).transform).a;
      const nodes = [...document.querySelectorAll('.react-flow__node')].map((node) => node.getBoundingClientRect());
      return {
        zoom,
        cutLeft: nodes.filter((r) => r.left < canvas.left - 0.5).length,
        cutRight: nodes.filter((r) => r.right > canvas.right + 0.5).length,
      };
    });
  const opened = await sides();
  expect(opened.zoom).toBeGreaterThanOrEqual(0.45);
  expect(opened).toEqual(expect.objectContaining({ cutLeft: 0, cutRight: 0 }));
  // F frames it the same way.
  await page.mouse.move(600, 500);
  await page.mouse.down();
  await page.mouse.move(300, 400, { steps: 4 });
  await page.mouse.up();
  await page.getByTestId('graph').focus();
  await page.keyboard.press('f');
  await page.waitForTimeout(400);
  expect(await sides()).toEqual(expect.objectContaining({ cutLeft: 0, cutRight: 0 }));
  await screenshot(page, 'graph-opening-sides');
});
