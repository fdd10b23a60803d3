/**
 * Sets of document ids for the in-memory library index (library-index.ts): plain bitsets over
 * 32-bit words, and postings that are a sorted id list while they are small and a bitset once a
 * bitset is smaller (more than one id in 32 of the id range) — the two containers of a roaring
 * bitmap, without its chunking: the ids are dense (SQLite AUTOINCREMENT docids), so one level is
 * enough. Ids only ever grow (a changed practice gets a new docid), so postings are appended to.
 */

/** Bits set in a 32-bit word. */
export function popcount32(x: number): number {
	x -= (x >>> 1) & 0x55555555;
	x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
	x = (x + (x >>> 4)) & 0x0f0f0f0f;
	return Math.imul(x, 0x01010101) >>> 24;
}

export function wordsFor(capacity: number): number {
	return (capacity + 31) >>> 5;
}

/** |a|, or |a ∧ b|, or |a ∧ b ∧ c| over the first `n` words. */
export function countAnd(n: number, a: Uint32Array, b?: Uint32Array | null, c?: Uint32Array | null): number {
	let s = 0;
	if (!b) for (let i = 0; i < n; i++) s += popcount32(a[i]);
	else if (!c) for (let i = 0; i < n; i++) s += popcount32(a[i] & b[i]);
	else for (let i = 0; i < n; i++) s += popcount32(a[i] & b[i] & c[i]);
	return s;
}

/** Calls `f` with every id set in `a` (∧ `b` when given), in increasing order. */
export function forEachBit(n: number, a: Uint32Array, f: (id: number) => void, b?: Uint32Array | null): void {
	for (let i = 0; i < n; i++) {
		let w = b ? a[i] & b[i] : a[i];
		while (w !== 0) {
			const t = w & -w;
			f((i << 5) + 31 - Math.clz32(t));
			w ^= t;
		}
	}
}

export const hasBit = (a: Uint32Array, id: number) => (a[id >>> 5] & (1 << (id & 31))) !== 0;
export const setBit = (a: Uint32Array, id: number) => void (a[id >>> 5] |= 1 << (id & 31));
export const clearBit = (a: Uint32Array, id: number) => void (a[id >>> 5] &= ~(1 << (id & 31)));

/**
 * The ids of one term in one field, or of one facet value. `count` counts every id ever added,
 * removed practices included (removal only clears the live set of the index): the statistics
 * of the index (document frequencies) use it until the next compaction.
 */
export class Posting {
	ids: Int32Array | null = new Int32Array(4);
	bits: Uint32Array | null = null;
	count = 0;

	/** A posting for `size` ids, in the container it will end up in (then `push` them in order). */
	static sized(size: number, capacity: number): Posting {
		const p = new Posting();
		if (size * 32 > capacity) {
			p.ids = null;
			p.bits = new Uint32Array(wordsFor(capacity));
		} else p.ids = new Int32Array(size);
		return p;
	}

	/** Appends an id to a posting made by `sized`, within its size. */
	push(id: number) {
		if (this.bits) setBit(this.bits, id);
		else this.ids![this.count] = id;
		this.count++;
	}

	/** Adds an id larger than every id added before. `capacity` is the index's id range. */
	add(id: number, capacity: number) {
		if (this.bits) {
			this.grow(capacity);
			setBit(this.bits, id);
		} else {
			if (this.count === this.ids!.length) {
				// A bitset is smaller once more than one id in 32 is set.
				if (this.count * 32 > capacity) {
					this.toBits(capacity);
					setBit(this.bits!, id);
					this.count++;
					return;
				}
				const more = new Int32Array(this.count * 2);
				more.set(this.ids!);
				this.ids = more;
			}
			this.ids![this.count] = id;
		}
		this.count++;
	}

	private toBits(capacity: number) {
		this.bits = new Uint32Array(wordsFor(capacity));
		for (let i = 0; i < this.count; i++) setBit(this.bits, this.ids![i]);
		this.ids = null;
	}

	/** Makes room for ids below `capacity` (bitsets only). */
	grow(capacity: number) {
		if (this.bits && this.bits.length < wordsFor(capacity)) {
			const more = new Uint32Array(wordsFor(capacity));
			more.set(this.bits);
			this.bits = more;
		}
	}

	/** Sets the ids in `out` (a bitset of at least the index's capacity). */
	orInto(out: Uint32Array) {
		if (this.bits) {
			const b = this.bits;
			for (let i = 0; i < b.length; i++) out[i] |= b[i];
		} else {
			const ids = this.ids!;
			for (let i = 0; i < this.count; i++) setBit(out, ids[i]);
		}
	}

	/** Calls `f` with the ids that are also in `mask`. */
	forEachIn(mask: Uint32Array, f: (id: number) => void) {
		if (this.bits) forEachBit(Math.min(this.bits.length, mask.length), this.bits, f, mask);
		else {
			const ids = this.ids!;
			for (let i = 0; i < this.count; i++) if (hasBit(mask, ids[i])) f(ids[i]);
		}
	}

	/** |this ∧ mask|, at the cost of the smaller container. */
	countIn(mask: Uint32Array, words: number): number {
		if (this.bits) return countAnd(Math.min(words, this.bits.length), this.bits, mask);
		let s = 0;
		const ids = this.ids!;
		for (let i = 0; i < this.count; i++) if (hasBit(mask, ids[i])) s++;
		return s;
	}

	/** Bytes held (for the memory figures). */
	bytes(): number {
		return this.bits ? this.bits.byteLength : this.ids!.byteLength;
	}
}
