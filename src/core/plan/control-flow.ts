// Which slots of a control-flow node and of its bodies must share one element type (the ONNX spec of If,
// Loop and Scan). Each such set becomes one free slot group in the plan, so an If's output can be fp16
// when both branches end in fp16, a Loop-carried value can stay fp16 across iterations, and a Cast is
// needed only where a producer and this group really differ, on whichever side of the boundary is cheaper.
import type { IrGraph } from '../ir';
import { toNumber, type NodeProto } from '../onnx/proto-types';

export interface BodySlot {
  graph: IrGraph;
  /** Position in the body's formal inputs or outputs. */
  index: number;
}

/** Slots that carry one tensor through a control-flow node: all get the same element type. */
export interface ControlFlowTie {
  outerInputs: number[];
  outerOutputs: number[];
  bodyInputs: BodySlot[];
  bodyOutputs: BodySlot[];
}

/**
 * The ties of one If, Loop or Scan node; undefined when the op (or its version) is not one whose type
 * rules are modelled here (SequenceMap, Scan-8 with its batch axis), which then keeps its original types.
 */
export function controlFlowTies(node: NodeProto, bodies: { attribute: string; graph: IrGraph }[], opset: number): ControlFlowTie[] | undefined {
  const inputs = node.input ?? [];
  const outputs = node.output ?? [];
  const body = (name: string) => bodies.find((b) => b.attribute === name)?.graph;
  switch (node.opType) {
    case 'If': {
      // then_branch and else_branch outputs k and the If's output k have one type (input 0 is the bool cond).
      const thenG = body('then_branch');
      const elseG = body('else_branch');
      if (!thenG || !elseG) return undefined;
      return outputs.map((_, k) => ({ outerInputs: [], outerOutputs: [k], bodyInputs: [], bodyOutputs: [{ graph: thenG, index: k }, { graph: elseG, index: k }] }));
    }
    case 'Loop': {
      // Loop(M, cond, v_initial...) -> (v_final..., scan_outputs...); body(iter, cond, v...) -> (cond, v..., scan...).
      const g = body('body');
      if (!g) return undefined;
      const carried = Math.max(0, inputs.length - 2);
      const scanOutputs = Math.max(0, (g.proto.output ?? []).length - 1 - carried);
      const ties: ControlFlowTie[] = [];
      for (let k = 0; k < carried; k++) {
        ties.push({ outerInputs: [2 + k], outerOutputs: k < outputs.length ? [k] : [], bodyInputs: [{ graph: g, index: 2 + k }], bodyOutputs: [{ graph: g, index: 1 + k }] });
      }
      for (let k = 0; k < scanOutputs; k++) {
        ties.push({ outerInputs: [], outerOutputs: carried + k < outputs.length ? [carried + k] : [], bodyInputs: [], bodyOutputs: [{ graph: g, index: 1 + carried + k }] });
      }
      return ties;
    }
    case 'Scan': {
      // Scan-9+: (state..., scan_inputs...) -> (final_state..., scan_outputs...); the body takes the state
      // and one slice of each scan input and returns the new state and one slice of each scan output.
      if (opset < 9) return undefined;
      const g = body('body');
      if (!g) return undefined;
      const scanInputs = toNumber(node.attribute?.find((a) => a.name === 'num_scan_inputs')?.i ?? 0);
      const state = inputs.length - scanInputs;
      if (state < 0) return undefined;
      const scanOutputs = Math.max(0, (g.proto.output ?? []).length - state);
      const ties: ControlFlowTie[] = [];
      for (let k = 0; k < state; k++) {
        ties.push({ outerInputs: [k], outerOutputs: k < outputs.length ? [k] : [], bodyInputs: [{ graph: g, index: k }], bodyOutputs: [{ graph: g, index: k }] });
      }
      for (let j = 0; j < scanInputs; j++) ties.push({ outerInputs: [state + j], outerOutputs: [], bodyInputs: [{ graph: g, index: state + j }], bodyOutputs: [] });
      for (let j = 0; j < scanOutputs; j++) {
        ties.push({ outerInputs: [], outerOutputs: state + j < outputs.length ? [state + j] : [], bodyInputs: [], bodyOutputs: [{ graph: g, index: state + j }] });
      }
      return ties;
    }
    default:
      return undefined;
  }
}
