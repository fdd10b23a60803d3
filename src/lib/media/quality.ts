/**
 * Which rendition «Качество: авто» plays. On a slow or metered connection — the Network
 * Information API where the browser has it (Save-Data, an effective type of 2G/3G, a downlink
 * below what the better rendition needs), otherwise the measured download rate of the first bytes
 * of the video — the light (lowest) rendition; else the default one (the first: 720p or the remux).
 */

/** What the browser tells of its connection (navigator.connection), when it does. */
export interface ConnectionHints {
	saveData?: boolean;
	effectiveType?: string;
	/** Estimated downlink, Mbit/s. */
	downlink?: number;
}

export interface RenditionChoice {
	id: string;
	/** Shorter side, px (the «p» of 720p). */
	height: number | null;
	/** Average bitrate of the file, kbit/s, when known. */
	kbps?: number | null;
}

/** The default bitrate assumed for a rendition of unknown bitrate (a 720p web rendition). */
export const DEFAULT_KBPS = 1500;
/** Head-room: the link must carry this many times the rendition's bitrate to play without stalls. */
export const HEADROOM = 1.3;

/** Kbit/s the default (first) rendition needs. */
export function neededKbps(r: RenditionChoice | undefined): number {
	return Math.max(300, (r?.kbps ?? DEFAULT_KBPS) * HEADROOM);
}

/**
 * True when the link looks too slow or too costly for the default rendition. `measuredKbps` is the
 * rate measured on the first bytes of the video (null: not measured).
 */
export function slowLink(hints: ConnectionHints | null | undefined, measuredKbps: number | null, need = DEFAULT_KBPS * HEADROOM): boolean {
	if (hints?.saveData) return true;
	if (hints?.effectiveType && ['slow-2g', '2g', '3g'].includes(hints.effectiveType)) return true;
	if (measuredKbps !== null && Number.isFinite(measuredKbps)) return measuredKbps < need;
	if (typeof hints?.downlink === 'number' && hints.downlink > 0) return hints.downlink * 1000 < need;
	return false;
}

/** The light rendition: the lowest one that is lower than the default, if any. */
export function lightOf<R extends RenditionChoice>(list: R[]): R | undefined {
	const def = list[0];
	const lower = list.filter((r) => r !== def && r.height !== null && def?.height != null && r.height < def.height);
	return lower.sort((a, b) => (a.height ?? 0) - (b.height ?? 0))[0];
}

/** The rendition «авто» plays. */
export function autoPick<R extends RenditionChoice>(list: R[], slow: boolean): R {
	return (slow && lightOf(list)) || list[0];
}

/** Rate of a timed download in kbit/s (bytes over milliseconds). */
export function rateKbps(bytes: number, ms: number): number {
	return ms > 0 ? (bytes * 8) / ms : Number.POSITIVE_INFINITY;
}
