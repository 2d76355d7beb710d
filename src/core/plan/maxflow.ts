// Dinic's max-flow on a compressed (CSR) residual graph built once and re-solved with new capacities.
// The planner re-solves the same network on every block-list toggle, so the topology is fixed at
// construction and only capacities change: no allocation on the hot path beyond the level/iterator arrays.

export class FlowNetwork {
  readonly vertexCount: number;
  private readonly head: Int32Array; // CSR: edges of vertex v are head[v] .. head[v+1]-1
  private readonly to: Int32Array;
  private readonly reverse: Int32Array;
  private readonly baseCapacity: Float64Array;
  readonly residual: Float64Array;
  private readonly level: Int32Array;
  private readonly cursor: Int32Array;
  private readonly queue: Int32Array;

  /** `edges` are [from, to, capacity] triples; each gets a reverse edge of capacity 0. */
  constructor(vertexCount: number, edgeFrom: Int32Array, edgeTo: Int32Array, edgeCapacity: Float64Array) {
    this.vertexCount = vertexCount;
    const m = edgeFrom.length;
    const degree = new Int32Array(vertexCount + 1);
    for (let e = 0; e < m; e++) {
      degree[edgeFrom[e] + 1]++;
      degree[edgeTo[e] + 1]++;
    }
    for (let v = 0; v < vertexCount; v++) degree[v + 1] += degree[v];
    this.head = degree;
    const fill = degree.slice(0, vertexCount);
    this.to = new Int32Array(2 * m);
    this.reverse = new Int32Array(2 * m);
    this.baseCapacity = new Float64Array(2 * m);
    /** Maps input edge index to its forward slot, so callers can change capacities by edge id. */
    this.slotOfEdge = new Int32Array(m);
    for (let e = 0; e < m; e++) {
      const a = fill[edgeFrom[e]]++;
      const b = fill[edgeTo[e]]++;
      this.to[a] = edgeTo[e];
      this.to[b] = edgeFrom[e];
      this.reverse[a] = b;
      this.reverse[b] = a;
      this.baseCapacity[a] = edgeCapacity[e];
      this.slotOfEdge[e] = a;
    }
    this.residual = new Float64Array(2 * m);
    this.level = new Int32Array(vertexCount);
    this.cursor = new Int32Array(vertexCount);
    this.queue = new Int32Array(vertexCount);
  }

  readonly slotOfEdge: Int32Array;

  /** Sets the capacity of input edge `edge` for subsequent solves. */
  setCapacity(edge: number, capacity: number): void {
    this.baseCapacity[this.slotOfEdge[edge]] = capacity;
  }

  /** Computes a maximum flow from s to t; returns its value. Residual capacities stay for minCutSourceSide. */
  maxFlow(s: number, t: number): number {
    this.residual.set(this.baseCapacity);
    let flow = 0;
    while (this.buildLevels(s, t)) {
      this.cursor.set(this.head.subarray(0, this.vertexCount));
      for (;;) {
        const pushed = this.augment(s, t);
        if (pushed <= 0) break;
        flow += pushed;
        if (flow === Infinity) return Infinity;
      }
    }
    return flow;
  }

  /**
   * The source side of the minimum cut that is smallest by inclusion: the vertices reachable from s in the
   * residual graph. Among all optimal cuts this puts the fewest vertices on the source (fp32) side.
   */
  minCutSourceSide(s: number): Uint8Array {
    const seen = new Uint8Array(this.vertexCount);
    const queue = this.queue;
    let qHead = 0;
    let qTail = 0;
    queue[qTail++] = s;
    seen[s] = 1;
    while (qHead < qTail) {
      const v = queue[qHead++];
      for (let e = this.head[v]; e < this.head[v + 1]; e++) {
        const w = this.to[e];
        if (!seen[w] && this.residual[e] > 0) {
          seen[w] = 1;
          queue[qTail++] = w;
        }
      }
    }
    return seen;
  }

  private buildLevels(s: number, t: number): boolean {
    const level = this.level;
    level.fill(-1);
    const queue = this.queue;
    let qHead = 0;
    let qTail = 0;
    queue[qTail++] = s;
    level[s] = 0;
    while (qHead < qTail) {
      const v = queue[qHead++];
      for (let e = this.head[v]; e < this.head[v + 1]; e++) {
        const w = this.to[e];
        if (level[w] < 0 && this.residual[e] > 0) {
          level[w] = level[v] + 1;
          queue[qTail++] = w;
        }
      }
    }
    return level[t] >= 0;
  }

  // Iterative DFS with per-vertex cursors (a recursive one overflows the stack on 100k-vertex chains).
  private readonly pathEdges: number[] = [];
  private augment(s: number, t: number): number {
    const path = this.pathEdges;
    path.length = 0;
    let v = s;
    for (;;) {
      if (v === t) {
        let bottleneck = Infinity;
        for (const e of path) if (this.residual[e] < bottleneck) bottleneck = this.residual[e];
        for (const e of path) {
          if (this.residual[e] !== Infinity) this.residual[e] -= bottleneck;
          const r = this.reverse[e];
          if (this.residual[r] !== Infinity) this.residual[r] += bottleneck;
        }
        return bottleneck;
      }
      let advanced = false;
      const end = this.head[v + 1];
      for (let e = this.cursor[v]; e < end; e++) {
        const w = this.to[e];
        if (this.residual[e] > 0 && this.level[w] === this.level[v] + 1) {
          this.cursor[v] = e;
          path.push(e);
          v = w;
          advanced = true;
          break;
        }
      }
      if (!advanced) {
        this.cursor[v] = end;
        this.level[v] = -1; // dead end: never enter again in this phase
        if (path.length === 0) return 0;
        const e = path.pop()!;
        v = this.to[this.reverse[e]];
        this.cursor[v]++;
      }
    }
  }
}
