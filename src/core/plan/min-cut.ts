// Exact cast placement as a minimum s-t cut (docs/design/engine.md, "Plan"). Source = fp32, sink = fp16.
// A value v from group u read by groups c1..ck needs one Cast iff some ci differs from u; with two helper
// vertices a, b per value: u->a (w), a->ci (inf), ci->b (inf), b->u (w). If u is fp32 and some ci fp16
// the cut pays w once through u->a; if u is fp16 and some ci fp32 it pays w once through b->u; never both.
// A value with one consumer needs no helpers: u->c (w) and c->u (w).
import { FlowNetwork } from './maxflow';
import { FIXED_FP16, FIXED_FP32, type CutAssignment, type CutTopology, type GroupStatus } from './cut-problem';

export class MinCutPlanner {
  private readonly network: FlowNetwork;
  private readonly topology: CutTopology;
  private readonly source: number;
  private readonly sink: number;
  /** Per value, the edge ids that carry its weight (one or two). */
  private readonly weightEdges: Int32Array;
  private readonly weightEdgeStart: Int32Array;
  private readonly terminalEdgeStart: number;

  constructor(topology: CutTopology) {
    this.topology = topology;
    const g = topology.groupCount;
    let helperCount = 0;
    let edgeCount = 2 * g; // s->group and group->t for every group, capacities set per solve
    for (const v of topology.values) {
      if (v.consumers.length === 1) edgeCount += 2;
      else if (v.consumers.length > 1) {
        helperCount += 2;
        edgeCount += 2 + 2 * v.consumers.length;
      }
    }
    const vertexCount = g + helperCount + 2;
    this.source = vertexCount - 2;
    this.sink = vertexCount - 1;
    const from = new Int32Array(edgeCount);
    const to = new Int32Array(edgeCount);
    const cap = new Float64Array(edgeCount);
    let e = 0;
    const add = (a: number, b: number, c: number) => {
      from[e] = a;
      to[e] = b;
      cap[e] = c;
      return e++;
    };
    this.terminalEdgeStart = 0;
    for (let i = 0; i < g; i++) {
      add(this.source, i, 0);
      add(i, this.sink, 0);
    }
    this.weightEdgeStart = new Int32Array(topology.values.length + 1);
    const weightEdges: number[] = [];
    let helper = g;
    topology.values.forEach((v, i) => {
      this.weightEdgeStart[i] = weightEdges.length;
      if (v.consumers.length === 1) {
        weightEdges.push(add(v.producer, v.consumers[0], 0), add(v.consumers[0], v.producer, 0));
      } else if (v.consumers.length > 1) {
        const a = helper++;
        const b = helper++;
        weightEdges.push(add(v.producer, a, 0), add(b, v.producer, 0));
        for (const c of v.consumers) {
          add(a, c, Infinity);
          add(c, b, Infinity);
        }
      }
    });
    this.weightEdgeStart[topology.values.length] = weightEdges.length;
    this.weightEdges = Int32Array.from(weightEdges);
    this.network = new FlowNetwork(vertexCount, from, to, cap);
  }

  /**
   * Solves for the given group statuses and value weights; deterministic for equal inputs. fp32Cost, when
   * given, is what a free group costs when it ends fp32 (a graph output's extra bytes copied to the host):
   * a finite group -> fp16 terminal edge, which the cut pays exactly when the group is on the fp32 side.
   */
  solve(status: ArrayLike<GroupStatus>, weights: Float64Array, fp32Cost?: Float64Array): CutAssignment {
    const g = this.topology.groupCount;
    for (let i = 0; i < g; i++) {
      this.network.setCapacity(this.terminalEdgeStart + 2 * i, status[i] === FIXED_FP32 ? Infinity : 0);
      this.network.setCapacity(this.terminalEdgeStart + 2 * i + 1, status[i] === FIXED_FP16 ? Infinity : status[i] === FIXED_FP32 ? 0 : fp32Cost?.[i] ?? 0);
    }
    for (let v = 0; v < this.topology.values.length; v++) {
      for (let k = this.weightEdgeStart[v]; k < this.weightEdgeStart[v + 1]; k++) {
        this.network.setCapacity(this.weightEdges[k], weights[v]);
      }
    }
    const cost = this.network.maxFlow(this.source, this.sink);
    const sourceSide = this.network.minCutSourceSide(this.source);
    const fp16 = new Uint8Array(g);
    for (let i = 0; i < g; i++) fp16[i] = sourceSide[i] ? 0 : 1;
    return { fp16, cost };
  }
}
