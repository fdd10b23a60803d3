/**
 * A bounded LRU of rendered public responses: the body once, its compressed variants as they are
 * asked for, all counted against one byte budget (and a count cap). Keys are built by the caller
 * (public-pages.ts) from the normalized URL and the generation of the data the page shows; an
 * entry also expires after its time to live (what a page shows besides that data: counters,
 * adoptions, the time).
 */
import type { Coding } from './compress';

export interface CachedPage {
	status: number;
	headers: [string, string][];
	etag: string;
	body: Buffer;
	variants: Partial<Record<Coding, Buffer>>;
	compressible: boolean;
	expires: number;
	bytes: number;
}

export interface PageCacheOptions {
	maxBytes: number;
	maxEntries: number;
	/** An entry larger than this is not kept. */
	maxEntryBytes: number;
}

const OVERHEAD = 512;

export class PageCache {
	#map = new Map<string, CachedPage>();
	#bytes = 0;
	hits = 0;
	misses = 0;
	constructor(readonly opts: PageCacheOptions) {}

	get size(): number {
		return this.#map.size;
	}
	get bytes(): number {
		return this.#bytes;
	}

	get(key: string, now = Date.now()): CachedPage | undefined {
		const e = this.#map.get(key);
		if (!e) {
			this.misses++;
			return undefined;
		}
		if (e.expires <= now) {
			this.delete(key);
			this.misses++;
			return undefined;
		}
		// Most recently used last.
		this.#map.delete(key);
		this.#map.set(key, e);
		this.hits++;
		return e;
	}

	set(key: string, e: Omit<CachedPage, 'bytes'>): CachedPage | null {
		const bytes = e.body.byteLength + OVERHEAD + e.headers.reduce((n, [k, v]) => n + k.length + v.length, 0);
		if (bytes > this.opts.maxEntryBytes) return null;
		this.delete(key);
		const entry: CachedPage = { ...e, bytes };
		this.#map.set(key, entry);
		this.#bytes += bytes;
		this.#evict();
		return this.#map.has(key) ? entry : null;
	}

	/** Keeps a compressed variant of an entry that is still here (its bytes count). */
	addVariant(key: string, entry: CachedPage, coding: Coding, body: Buffer): void {
		if (this.#map.get(key) !== entry || entry.variants[coding]) return;
		entry.variants[coding] = body;
		entry.bytes += body.byteLength;
		this.#bytes += body.byteLength;
		this.#evict();
	}

	delete(key: string): void {
		const e = this.#map.get(key);
		if (!e) return;
		this.#map.delete(key);
		this.#bytes -= e.bytes;
	}

	/** Drops the entries whose key starts so (a generation that is over). */
	deletePrefix(prefix: string): void {
		for (const k of [...this.#map.keys()]) if (k.startsWith(prefix)) this.delete(k);
	}

	clear(): void {
		this.#map.clear();
		this.#bytes = 0;
	}

	#evict() {
		while (this.#map.size && (this.#bytes > this.opts.maxBytes || this.#map.size > this.opts.maxEntries)) {
			const oldest = this.#map.keys().next().value as string;
			this.delete(oldest);
		}
	}
}
