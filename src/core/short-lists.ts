// Appending to lists that are nearly always short (a node's inputs, a value's readers) without the slack of
// Array.prototype.push: a push onto a short array grows its store to 17 slots or more, and on a 44k-node
// model these lists are hundreds of thousands of arrays that live for the whole run (memory, and copying
// by every scavenge while they are young).

/**
 * `list` with `item` appended: a new array literal of exactly the new length while the list has up to four
 * items (the caller stores the result in place of `list`), else `list` itself, pushed onto.
 */
export function appended<T>(list: T[], item: T): T[] {
  switch (list.length) {
    case 0: return [item];
    case 1: return [list[0], item];
    case 2: return [list[0], list[1], item];
    case 3: return [list[0], list[1], list[2], item];
    default:
      list.push(item);
      return list;
  }
}
