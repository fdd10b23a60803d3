/** Shapes and Russian words of the video status, shared by the server and the browser. */
import type { Playback } from './playback';

/**
 * `partial`: playable with its first rendition (the remux, or the light 480p one of an HEVC card)
 * while the job makes the rest; the player of the status picks up the new renditions when they come.
 */
export type VideoPhase = 'uploading' | 'uploaded' | 'queued' | 'processing' | 'partial' | 'ready' | 'failed' | 'rejected' | 'unavailable' | 'cancelled' | 'replaced';

export interface VideoStatusDTO {
	assetId: string;
	phase: VideoPhase;
	/** 0…100 while processing. */
	progress: number | null;
	error: string | null;
	durationSec: number | null;
	poster: string | null;
	playback: Playback | null;
}

/** Phases after which nothing changes by itself (no more polling). */
export const FINAL_PHASES: ReadonlySet<VideoPhase> = new Set(['ready', 'failed', 'rejected', 'unavailable', 'cancelled', 'replaced']);

export const VIDEO_PHASE_TITLE: Record<VideoPhase, string> = {
	uploading: 'загружается',
	uploaded: 'загружено',
	queued: 'в очереди на обработку',
	processing: 'обрабатывается',
	partial: 'можно смотреть',
	ready: 'готово',
	failed: 'ошибка',
	rejected: 'отклонено',
	unavailable: 'загружено, без обработки',
	cancelled: 'обработка отменена',
	replaced: 'заменено'
};

export function fmtDuration(sec: number | null | undefined): string {
	if (sec == null || !Number.isFinite(sec)) return '';
	const s = Math.max(0, Math.round(sec));
	const m = Math.floor(s / 60);
	return `${m}:${String(s % 60).padStart(2, '0')}`;
}
