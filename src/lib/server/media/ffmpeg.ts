/**
 * Pure process wrappers around ffprobe / ffmpeg for the «видеовизитка».
 *
 * - Every child is spawned without a shell, in its own process group, with a
 *   timeout that SIGTERMs the group and SIGKILLs it after a short grace.
 * - Videos are never read into memory: ffmpeg reads the local path or the
 *   (presigned) http(s) URL itself.
 * - Inputs are hardened: only the mov/mp4 and matroska/webm demuxers are
 *   allowed (an uploaded HLS playlist / concat script renamed to .mp4 cannot
 *   make ffmpeg fetch other files or URLs), and only the file protocol for
 *   local paths, http(s) for URLs.
 * - Outputs are written to a temp file next to the target and renamed at the
 *   end, so a killed job never leaves a half-written poster or rendition.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ffmpegErrors } from '../ops/metrics';

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

export interface MediaFacts {
	durationSec: number;
	sizeBytes: number;
	formatName: string;
	video: {
		codec: string;
		width: number;
		height: number;
		/** Clockwise degrees the stored picture must be turned to be upright (like a phone's `rotate` tag): 0|90|180|270. */
		rotation: number;
		displayWidth: number;
		/** Dimensions after rotation. */
		displayHeight: number;
		fps: number;
		pixFmt: string;
		/** ffprobe color_transfer, when known (e.g. 'bt709', 'arib-std-b67'). */
		colorTransfer?: string;
		/** HDR (HLG / PQ) — the transcode path tone-maps it to SDR. */
		hdr?: boolean;
	} | null;
	audio: { codec: string; channels: number; sampleRate: number } | null;
	/** mp4/mov container with h264 (yuv420p/yuvj420p, 8-bit) video and aac or no audio. */
	webPlayable: boolean;
}

export type MediaErrorCode =
	| 'no_video'
	| 'corrupt'
	| 'too_long'
	| 'empty'
	| 'timeout'
	| 'crashed'
	| 'unavailable'
	| 'aborted';

const MESSAGES_RU: Record<MediaErrorCode, string> = {
	no_video:
		'В файле не найдено видео. Загрузите видеозапись (MP4, MOV или WebM), а не аудиозапись, фотографию или документ.',
	corrupt:
		'Не удалось прочитать видеофайл: похоже, он повреждён или загрузился не полностью. Сохраните видео на устройстве заново (например, экспортируйте его в MP4) и загрузите ещё раз.',
	too_long: 'Видео длиннее допустимого. Сократите видеовизитку и загрузите её ещё раз.',
	empty: 'Файл пустой (0 байт). Проверьте, что видео сохранилось полностью, и загрузите его ещё раз.',
	timeout:
		'Обработка видео заняла слишком много времени. Попробуйте ещё раз чуть позже; если ошибка повторится, уменьшите длительность или разрешение видео.',
	crashed:
		'При обработке видео произошла техническая ошибка. Попробуйте ещё раз чуть позже; если ошибка повторится, напишите в поддержку конкурса.',
	unavailable:
		'Обработка видео временно недоступна. Попробуйте ещё раз позже; если ошибка повторится, напишите в поддержку конкурса.',
	aborted: 'Обработка видео была прервана и продолжится автоматически. Ничего делать не нужно.'
};

export class MediaError extends Error {
	readonly code: MediaErrorCode;
	/** Clear Russian message for the applicant (never contains ffmpeg output). */
	readonly messageRu: string;
	/** Last part of the child's stderr, for the logs only — never show to users. */
	readonly stderrTail?: string;
	/** Extra machine-readable context, e.g. { limit: 'size', maxSizeBytes }. */
	readonly details?: Record<string, unknown>;

	constructor(
		code: MediaErrorCode,
		opts: {
			message?: string;
			messageRu?: string;
			stderrTail?: string;
			cause?: unknown;
			details?: Record<string, unknown>;
		} = {}
	) {
		super(opts.message ?? `media: ${code}`, opts.cause !== undefined ? { cause: opts.cause } : undefined);
		this.name = 'MediaError';
		this.code = code;
		this.messageRu = opts.messageRu ?? MESSAGES_RU[code];
		if (opts.stderrTail !== undefined) this.stderrTail = opts.stderrTail;
		if (opts.details !== undefined) this.details = opts.details;
		ffmpegErrors.inc({ code });
	}

	/** Not the applicant's fault: the job may be retried as is. */
	get retryable(): boolean {
		return this.code === 'timeout' || this.code === 'crashed' || this.code === 'unavailable' || this.code === 'aborted';
	}
}

// ---------------------------------------------------------------------------
// Binaries & availability
// ---------------------------------------------------------------------------

const FFMPEG = process.env.FFMPEG_PATH || 'ffmpeg';
const FFPROBE = process.env.FFPROBE_PATH || 'ffprobe';

let availability: Promise<boolean> | null = null;
let filterList: Promise<string> | null = null;

/** Cached: true when ffmpeg and ffprobe run and ffmpeg has the libx264 encoder. */
export function ffmpegAvailable(): Promise<boolean> {
	availability ??= (async () => {
		try {
			const [probeV, enc] = await Promise.all([
				run(FFPROBE, ['-hide_banner', '-version'], { timeoutMs: 15_000 }),
				run(FFMPEG, ['-hide_banner', '-encoders'], { timeoutMs: 15_000, maxStdoutBytes: 4 << 20 })
			]);
			return probeV.code === 0 && enc.code === 0 && /\blibx264\b/.test(enc.stdout);
		} catch {
			return false;
		}
	})();
	return availability;
}

async function hasFilter(name: string): Promise<boolean> {
	filterList ??= run(FFMPEG, ['-hide_banner', '-filters'], { timeoutMs: 15_000, maxStdoutBytes: 4 << 20 })
		.then((r) => (r.code === 0 ? r.stdout : ''))
		.catch(() => '');
	return new RegExp(`^\\s*\\S+\\s+${name}\\s`, 'm').test(await filterList);
}

// ---------------------------------------------------------------------------
// Process runner
// ---------------------------------------------------------------------------

const KILL_GRACE_MS = 2_000;
const STDERR_TAIL_BYTES = 8 * 1024;

interface RunOpts {
	timeoutMs: number;
	/** Collected stdout limit; the child is killed and the run fails above it. */
	maxStdoutBytes?: number;
	/** Stream stdout line by line instead of collecting it. */
	onStdoutLine?: (line: string) => void;
	/** Aborting kills the child's process group; the run rejects with MediaError 'aborted'. */
	signal?: AbortSignal;
}

interface RunResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderrTail: string;
	timedOut: boolean;
	stdoutOverflow: boolean;
}

function run(bin: string, args: string[], opts: RunOpts): Promise<RunResult> {
	return new Promise((resolve, reject) => {
		if (opts.signal?.aborted) {
			reject(new MediaError('aborted', { message: `${bin}: aborted before start` }));
			return;
		}
		let child;
		try {
			child = spawn(bin, args, {
				stdio: ['ignore', 'pipe', 'pipe'],
				detached: true, // own process group, so the timeout can kill the whole group
				windowsHide: true,
				env: { ...process.env, AV_LOG_FORCE_NOCOLOR: '1' }
			});
		} catch (e) {
			reject(new MediaError('unavailable', { message: `cannot spawn ${bin}`, cause: e }));
			return;
		}
		const maxStdout = opts.maxStdoutBytes ?? 16 << 20;
		const out: Buffer[] = [];
		let outBytes = 0;
		let lineBuf = '';
		let errTail = '';
		let timedOut = false;
		let stdoutOverflow = false;
		let spawnError: NodeJS.ErrnoException | null = null;
		let killTimer: NodeJS.Timeout | undefined;

		const killGroup = (sig: NodeJS.Signals) => {
			if (child.pid === undefined) return;
			try {
				process.kill(-child.pid, sig);
			} catch {
				try {
					child.kill(sig);
				} catch {
					/* already gone */
				}
			}
		};
		const terminate = () => {
			killGroup('SIGTERM');
			killTimer ??= setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
		};

		const timer = setTimeout(() => {
			timedOut = true;
			terminate();
		}, Math.max(0, opts.timeoutMs));
		let aborted = false;
		const onAbort = () => {
			aborted = true;
			terminate();
		};
		opts.signal?.addEventListener('abort', onAbort, { once: true });

		child.stdout.on('data', (chunk: Buffer) => {
			if (opts.onStdoutLine) {
				lineBuf += chunk.toString('utf8');
				let nl;
				while ((nl = lineBuf.indexOf('\n')) >= 0) {
					const line = lineBuf.slice(0, nl).replace(/\r$/, '');
					lineBuf = lineBuf.slice(nl + 1);
					try {
						opts.onStdoutLine(line);
					} catch {
						/* a faulty callback must not break the job */
					}
				}
				if (lineBuf.length > 64 * 1024) lineBuf = lineBuf.slice(-64 * 1024);
				return;
			}
			outBytes += chunk.length;
			if (outBytes > maxStdout) {
				if (!stdoutOverflow) {
					stdoutOverflow = true;
					terminate();
				}
				return;
			}
			out.push(chunk);
		});
		child.stderr.on('data', (chunk: Buffer) => {
			errTail = (errTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
		});
		child.on('error', (e: NodeJS.ErrnoException) => {
			spawnError = e;
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			if (killTimer) clearTimeout(killTimer);
			opts.signal?.removeEventListener('abort', onAbort);
			if (aborted && !timedOut) {
				reject(new MediaError('aborted', { message: `${bin}: aborted`, stderrTail: errTail.trim() }));
				return;
			}
			if (spawnError) {
				reject(
					new MediaError(spawnError.code === 'ENOENT' || spawnError.code === 'EACCES' ? 'unavailable' : 'crashed', {
						message: `cannot run ${bin}: ${spawnError.message}`,
						cause: spawnError
					})
				);
				return;
			}
			if (opts.onStdoutLine && lineBuf) {
				try {
					opts.onStdoutLine(lineBuf);
				} catch {
					/* ignore */
				}
			}
			resolve({
				code,
				signal,
				stdout: Buffer.concat(out).toString('utf8'),
				stderrTail: errTail.trim(),
				timedOut,
				stdoutOverflow
			});
		});
	});
}

function timeoutError(what: string, r: RunResult, timeoutMs: number): MediaError {
	return new MediaError('timeout', {
		message: `${what} timed out after ${timeoutMs} ms`,
		stderrTail: r.stderrTail,
		details: { timeoutMs }
	});
}

const CORRUPT_PATTERNS =
	/Invalid data found when processing input|moov atom not found|could not find codec parameters|error reading header|Invalid NAL unit|EBML header parsing failed|Truncated|no frame!|corrupt|Failed to read frame size|Format not on whitelist|Unknown format|End of file/i;
const NETWORK_PATTERNS =
	/Server returned|Connection refused|Connection reset|Connection timed out|Network is unreachable|No route to host|Failed to resolve|Name or service not known|Temporary failure in name resolution|Protocol not on whitelist|TLS|SSL/i;

function failureError(what: string, input: string, r: RunResult, kind: 'probe' | 'job'): MediaError {
	const tail = r.stderrTail;
	const base = {
		message: `${what} failed (exit ${r.code ?? r.signal})${tail ? `: ${lastLine(tail)}` : ''}`,
		stderrTail: tail,
		details: { exitCode: r.code, signal: r.signal }
	};
	if (r.stdoutOverflow) return new MediaError('corrupt', { ...base, message: `${what}: output too large` });
	if (isUrl(input) && NETWORK_PATTERNS.test(tail)) return new MediaError('crashed', base);
	if (/No such file or directory|Permission denied/i.test(tail)) return new MediaError('crashed', base);
	if (kind === 'probe' || CORRUPT_PATTERNS.test(tail)) return new MediaError('corrupt', base);
	return new MediaError('crashed', base);
}

function lastLine(s: string): string {
	const lines = s.split('\n').filter((l) => l.trim());
	return (lines[lines.length - 1] ?? '').slice(0, 300);
}

// ---------------------------------------------------------------------------
// Input handling
// ---------------------------------------------------------------------------

/** Demuxers allowed to open user uploads (mov/mp4/m4v/3gp and matroska/webm). */
const FORMAT_WHITELIST = 'mov,matroska';

function isUrl(input: string): boolean {
	return /^https?:\/\//i.test(input);
}

/** Input options + the `-i` argument; local paths get an explicit `file:` URL so no name is ever read as a protocol or an option. */
function inputArgs(input: string, preInput: string[] = []): string[] {
	if (isUrl(input)) {
		return [
			'-protocol_whitelist',
			'http,https,tcp,tls,crypto',
			'-format_whitelist',
			FORMAT_WHITELIST,
			'-reconnect',
			'1',
			'-reconnect_on_network_error',
			'1',
			'-reconnect_delay_max',
			'5',
			...preInput,
			'-i',
			input
		];
	}
	return [
		'-protocol_whitelist',
		'file',
		'-format_whitelist',
		FORMAT_WHITELIST,
		...preInput,
		'-i',
		'file:' + path.resolve(input)
	];
}

function tempPathFor(outPath: string): string {
	return path.join(
		path.dirname(outPath),
		`.${path.basename(outPath)}.${process.pid}.${randomBytes(4).toString('hex')}.part`
	);
}

async function removeQuietly(p: string): Promise<void> {
	await unlink(p).catch(() => undefined);
}

// ---------------------------------------------------------------------------
// probe
// ---------------------------------------------------------------------------

interface ProbeStream {
	index?: number;
	codec_type?: string;
	codec_name?: string;
	width?: number;
	height?: number;
	pix_fmt?: string;
	avg_frame_rate?: string;
	r_frame_rate?: string;
	channels?: number;
	sample_rate?: string;
	duration?: string;
	color_transfer?: string;
	disposition?: Record<string, number>;
	tags?: Record<string, string>;
	side_data_list?: Array<{ side_data_type?: string; rotation?: number | string }>;
}
interface ProbeJson {
	format?: { format_name?: string; duration?: string; size?: string };
	streams?: ProbeStream[];
}

function parseRate(r: string | undefined): number {
	if (!r) return 0;
	const [n, d] = r.split('/').map(Number);
	if (!Number.isFinite(n) || !n) return 0;
	const v = d ? n / d : n;
	return Number.isFinite(v) && v > 0 && v < 10_000 ? Math.round(v * 1000) / 1000 : 0;
}

function num(v: string | number | undefined): number {
	const n = typeof v === 'number' ? v : v === undefined ? NaN : parseFloat(v);
	return Number.isFinite(n) ? n : NaN;
}

/** Clockwise rotation (0|90|180|270) needed to show the picture upright. */
function rotationOf(s: ProbeStream): number {
	let cw: number | null = null;
	const sd = s.side_data_list?.find((d) => d.side_data_type === 'Display Matrix' || d.rotation !== undefined);
	const r = num(sd?.rotation);
	// ffprobe's display-matrix rotation is counter-clockwise (an upright-by-turning-clockwise
	// phone clip reads -90), the legacy `rotate` tag is clockwise.
	if (Number.isFinite(r)) cw = -r;
	else {
		const tag = num(s.tags?.rotate);
		if (Number.isFinite(tag)) cw = tag;
	}
	if (cw === null) return 0;
	return (((Math.round(cw / 90) * 90) % 360) + 360) % 360;
}

const HDR_TRANSFERS = new Set(['smpte2084', 'arib-std-b67']);

export function factsFromProbeJson(json: ProbeJson, sizeBytes?: number): MediaFacts {
	const streams = json.streams ?? [];
	const vs = streams.find(
		(s) => s.codec_type === 'video' && !s.disposition?.attached_pic && !s.disposition?.still_image && (s.width ?? 0) > 0
	);
	const as = streams.find((s) => s.codec_type === 'audio');
	const formatName = json.format?.format_name ?? '';

	let video: MediaFacts['video'] = null;
	if (vs) {
		const rotation = rotationOf(vs);
		const width = vs.width ?? 0;
		const height = vs.height ?? 0;
		const swap = rotation === 90 || rotation === 270;
		const colorTransfer = vs.color_transfer && vs.color_transfer !== 'unknown' ? vs.color_transfer : undefined;
		video = {
			codec: vs.codec_name ?? 'unknown',
			width,
			height,
			rotation,
			displayWidth: swap ? height : width,
			displayHeight: swap ? width : height,
			fps: parseRate(vs.avg_frame_rate) || parseRate(vs.r_frame_rate),
			pixFmt: vs.pix_fmt ?? 'unknown',
			...(colorTransfer ? { colorTransfer } : {}),
			hdr: colorTransfer ? HDR_TRANSFERS.has(colorTransfer) : false
		};
	}
	const audio: MediaFacts['audio'] = as
		? { codec: as.codec_name ?? 'unknown', channels: as.channels ?? 0, sampleRate: num(as.sample_rate) || 0 }
		: null;

	let durationSec = num(json.format?.duration);
	if (!(durationSec > 0)) durationSec = num(vs?.duration);
	if (!(durationSec > 0)) durationSec = num(as?.duration);
	if (!(durationSec > 0)) durationSec = 0;

	const size = sizeBytes ?? num(json.format?.size);
	const isMovFamily = formatName.split(',').some((f) => f === 'mov' || f === 'mp4');
	const webPlayable =
		!!video &&
		isMovFamily &&
		video.codec === 'h264' &&
		(video.pixFmt === 'yuv420p' || video.pixFmt === 'yuvj420p') &&
		!video.hdr &&
		(!audio || audio.codec === 'aac');

	return {
		durationSec: Math.round(durationSec * 1000) / 1000,
		sizeBytes: Number.isFinite(size) && size >= 0 ? size : 0,
		formatName,
		video,
		audio,
		webPlayable
	};
}

/**
 * Probe a local path or an http(s) URL (e.g. a presigned S3 GET URL).
 * Throws MediaError: 'empty' (0-byte local file), 'corrupt' (unreadable input),
 * 'timeout', 'crashed' (network / internal), 'unavailable' (no ffprobe).
 */
export async function probe(input: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<MediaFacts> {
	const timeoutMs = opts.timeoutMs ?? 30_000;
	const started = Date.now();
	let localSize: number | undefined;
	if (!isUrl(input)) {
		let st;
		try {
			st = await stat(input);
		} catch (e) {
			throw new MediaError('crashed', { message: `probe: cannot stat ${input}`, cause: e });
		}
		if (!st.isFile()) throw new MediaError('crashed', { message: `probe: not a file: ${input}` });
		if (st.size === 0) throw new MediaError('empty', { message: 'probe: empty file', details: { sizeBytes: 0 } });
		localSize = st.size;
	}
	const args = [
		'-v',
		'error',
		'-hide_banner',
		...inputArgs(input),
		'-print_format',
		'json=compact=1',
		'-show_format',
		'-show_streams'
	];
	const r = await run(FFPROBE, args, { timeoutMs, maxStdoutBytes: 4 << 20, signal: opts.signal });
	if (r.timedOut) throw timeoutError('ffprobe', r, timeoutMs);
	if (r.code !== 0 || r.stdoutOverflow) throw failureError('ffprobe', input, r, 'probe');
	let json: ProbeJson;
	try {
		json = JSON.parse(r.stdout) as ProbeJson;
	} catch (e) {
		throw new MediaError('corrupt', { message: 'ffprobe: unparsable output', cause: e, stderrTail: r.stderrTail });
	}
	if (!json.format && !(json.streams ?? []).length) {
		throw new MediaError('corrupt', { message: 'ffprobe: no format/streams', stderrTail: r.stderrTail });
	}
	const facts = factsFromProbeJson(json, localSize);
	if (facts.sizeBytes === 0 && isUrl(input) && json.format?.size === '0') {
		throw new MediaError('empty', { message: 'probe: empty object' });
	}
	// Browser (MediaRecorder) / streamed WebM often has no duration in its header:
	// read packet timestamps (streamed, not buffered) to find it.
	if (!(facts.durationSec > 0) && (facts.video || facts.audio)) {
		const left = timeoutMs - (Date.now() - started);
		facts.durationSec = await durationFromPackets(input, facts.video ? 'v:0' : 'a:0', Math.max(1, left), opts.signal);
	}
	return facts;
}

async function durationFromPackets(input: string, stream: string, timeoutMs: number, signal?: AbortSignal): Promise<number> {
	let maxEnd = 0;
	let minPts = Infinity;
	const r = await run(
		FFPROBE,
		[
			'-v',
			'error',
			'-hide_banner',
			...inputArgs(input),
			'-select_streams',
			stream,
			'-show_entries',
			'packet=pts_time,duration_time',
			'-of',
			'csv=p=0'
		],
		{
			timeoutMs,
			signal,
			onStdoutLine: (line) => {
				const [p, d] = line.split(',');
				const pts = parseFloat(p ?? '');
				if (!Number.isFinite(pts)) return;
				const dur = parseFloat(d ?? '');
				minPts = Math.min(minPts, pts);
				maxEnd = Math.max(maxEnd, pts + (Number.isFinite(dur) ? dur : 0));
			}
		}
	);
	if (r.timedOut) throw timeoutError('ffprobe (packets)', r, timeoutMs);
	if (r.code !== 0) throw failureError('ffprobe (packets)', input, r, 'probe');
	const d = maxEnd - (Number.isFinite(minPts) ? Math.min(minPts, 0) : 0);
	return Math.round(Math.max(0, d) * 1000) / 1000;
}

// ---------------------------------------------------------------------------
// validateFacts
// ---------------------------------------------------------------------------

function formatDurationRu(sec: number): string {
	const s = Math.max(0, Math.round(sec));
	const m = Math.floor(s / 60);
	const r = s % 60;
	if (m === 0) return `${r} с`;
	return r ? `${m} мин ${r} с` : `${m} мин`;
}

function formatSizeRu(bytes: number): string {
	if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1).replace('.', ',')} ГБ`;
	return `${Math.round(bytes / 1024 ** 2)} МБ`;
}

/**
 * Checks the contest limits. Returns null when the video is acceptable.
 * 0 bytes → 'empty'; no video stream → 'no_video'; duration over the limit → 'too_long';
 * size over the limit → 'too_long' as well, with details.limit === 'size' and a size message.
 */
export function validateFacts(
	facts: MediaFacts,
	limits: { maxDurationSec: number; maxSizeBytes: number }
): MediaError | null {
	if (facts.sizeBytes === 0) return new MediaError('empty', { details: { sizeBytes: 0 } });
	if (!facts.video) {
		return new MediaError('no_video', { message: `no video stream (format ${facts.formatName})` });
	}
	if (facts.durationSec > limits.maxDurationSec) {
		return new MediaError('too_long', {
			message: `duration ${facts.durationSec}s > ${limits.maxDurationSec}s`,
			messageRu: `Видео длится ${formatDurationRu(facts.durationSec)}, а допускается не больше ${formatDurationRu(
				limits.maxDurationSec
			)}. Сократите видеовизитку и загрузите её ещё раз.`,
			details: { limit: 'duration', durationSec: facts.durationSec, maxDurationSec: limits.maxDurationSec }
		});
	}
	if (facts.sizeBytes > limits.maxSizeBytes) {
		return new MediaError('too_long', {
			message: `size ${facts.sizeBytes} > ${limits.maxSizeBytes}`,
			messageRu: `Файл слишком большой: ${formatSizeRu(facts.sizeBytes)}, допускается не больше ${formatSizeRu(
				limits.maxSizeBytes
			)}. Сохраните видео в меньшем разрешении (например, 720p или 1080p) и загрузите его ещё раз.`,
			details: { limit: 'size', sizeBytes: facts.sizeBytes, maxSizeBytes: limits.maxSizeBytes }
		});
	}
	return null;
}

// ---------------------------------------------------------------------------
// Poster & rendition
// ---------------------------------------------------------------------------

/** Fit within box (never upscale), even dimensions. Runs after autorotation, so iw/ih are display dims. */
function fitFilter(boxW: number, boxH: number, flags?: string): string {
	return `scale=w='min(iw,${boxW})':h='min(ih,${boxH})':force_original_aspect_ratio=decrease:force_divisible_by=2${flags ? `:flags=${flags}` : ''}`;
}

const TONEMAP_CHAIN =
	'zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv';

async function sdrFilters(facts: MediaFacts): Promise<string[]> {
	return facts.video?.hdr && (await hasFilter('zscale')) ? [TONEMAP_CHAIN] : [];
}

function isPortrait(facts: MediaFacts): boolean {
	return !!facts.video && facts.video.displayHeight > facts.video.displayWidth;
}

function requireVideo(facts: MediaFacts, what: string): void {
	if (!facts.video) throw new MediaError('no_video', { message: `${what}: input has no video stream` });
}

/**
 * Writes a JPEG poster: a representative frame (ffmpeg `thumbnail` over ~1 s of frames)
 * starting at min(1 s, 10% of duration), upright (autorotated), fit within 1280x1280
 * (so max width 1280; a portrait poster is at most 720x1280 for 16:9).
 */
export async function makePoster(
	input: string,
	outPath: string,
	facts: MediaFacts,
	opts: { timeoutMs?: number; signal?: AbortSignal } = {}
): Promise<void> {
	requireVideo(facts, 'makePoster');
	const timeoutMs = opts.timeoutMs ?? 60_000;
	const deadline = Date.now() + timeoutMs;
	const at = facts.durationSec > 0 ? Math.min(1, facts.durationSec * 0.1) : 0;
	const fps = facts.video!.fps || 25;
	const window = Math.max(3, Math.min(30, Math.round(fps)));
	const vf = [...(await sdrFilters(facts)), fitFilter(1280, 1280), `thumbnail=${window}`].join(',');
	const tmp = tempPathFor(outPath);

	const attempt = async (seek: number): Promise<boolean> => {
		const args = [
			'-v',
			'error',
			'-hide_banner',
			'-nostdin',
			'-y',
			...inputArgs(input, seek > 0 ? ['-ss', seek.toFixed(3)] : []),
			'-map',
			'0:v:0',
			'-an',
			'-sn',
			'-dn',
			'-vf',
			vf,
			'-frames:v',
			'1',
			'-pix_fmt',
			'yuvj420p',
			'-q:v',
			'3',
			'-f',
			'image2',
			'-c:v',
			'mjpeg',
			'-update',
			'1',
			tmp
		];
		const left = deadline - Date.now();
		const r = await run(FFMPEG, args, { timeoutMs: Math.max(1, left), signal: opts.signal });
		if (r.timedOut) throw timeoutError('ffmpeg poster', r, timeoutMs);
		if (r.code !== 0) throw failureError('ffmpeg poster', input, r, 'job');
		const st = await stat(tmp).catch(() => null);
		return !!st && st.size > 0;
	};

	try {
		let ok = await attempt(at);
		// Seeked past the real end (wrong duration in the header): take the first frames.
		if (!ok && at > 0) ok = await attempt(0);
		if (!ok) throw new MediaError('corrupt', { message: 'ffmpeg poster: no frame could be decoded' });
		await rename(tmp, outPath);
	} catch (e) {
		await removeQuietly(tmp);
		throw e;
	}
}

/** The two web renditions of a video: «high» (remux or 720p) and «light» (≤ 480p for slow links). */
export type RenditionProfile = 'high' | 'light';

/** Encoder settings, chosen by measuring (bench/media.ts `renditions`): see the README. */
export const ENCODE = {
	/** x264 preset of the 720p transcode («high»: what jurors watch by default). */
	preset: process.env.MEDIA_X264_PRESET || 'veryfast',
	/**
	 * x264 preset of the light 480p rendition, and skipping the decoder's loop filter for it (its
	 * artefacts vanish in the downscale): measured on a 30 s 1080p HEVC source, superfast + skip
	 * made the light rendition in 10.2 s against 17.9–20.8 s with veryfast, at the same bitrate
	 * (it is an average-bitrate encode) — the light one comes first for such sources.
	 */
	lightPreset: process.env.MEDIA_X264_LIGHT_PRESET || 'superfast',
	lightSkipLoopFilter: true,
	/**
	 * Scaler of the light rendition: `bilinear` instead of the default bicubic. Measured side by side
	 * on 10 s of the bench's 1080p HEVC (bench/hevc-candidates.sh and an SSIM against a
	 * lanczos-scaled reference): bicubic 17.1 s, SSIM 0.9918; bilinear 13.9 s, 0.9908;
	 * fast_bilinear 10.6 s but 0.9689 (visibly softer, aliased) — bilinear keeps the picture.
	 */
	lightScaleFlags: 'bilinear',
	/**
	 * Upload the remux while ffmpeg writes it (index reserved at the front, upload-growing.ts)
	 * instead of after it: the first playable rendition of a remuxable source is in S3 about when
	 * the remux ends (bench/first-playable.ts, `h264_1080` against `h264_1080_upload_after`).
	 */
	remuxWhileUploading: true,
	/** Parts of that upload in flight at once. */
	remuxUploadConcurrency: 4,
	highCrf: 23,
	/**
	 * Light: an average bitrate with a cap — 600 kbit/s video (≤ 700 kbit/s peaks) + 64 kbit/s audio,
	 * so ~0.66 Mbit/s in all whatever the picture (a capped CRF gave 340–740 kbit/s on the bench's
	 * sources: too little for a calm picture, too close to 1 Mbit/s links for a busy one).
	 */
	lightBitrate: '600k',
	lightMaxrate: '700k',
	lightBufsize: '1400k',
	lightAudio: '64k',
	/** ffmpeg -threads for encoder and decoder; 0 = ffmpeg's choice (all cores). */
	threads: Number(process.env.MEDIA_FFMPEG_THREADS ?? 0) || 0
};

/**
 * Bytes to reserve for the `moov` index of a remux written in place: the sample tables take
 * ~16 bytes a video frame and ~8 an audio frame (measured: 27 KB for 30 s of 1080p30 + AAC); twice
 * that and 64 KiB more, at most 8 MiB (the first upload part is 16 MiB).
 */
export function moovReserveBytes(facts: MediaFacts): number {
	const fps = Math.min(240, facts.video?.fps || 60);
	const perSec = fps * 16 + (facts.audio ? ((facts.audio.sampleRate || 48_000) / 1024) * 8 : 0);
	return Math.min(8 * 1024 * 1024, Math.ceil(64 * 1024 + 2 * perSec * Math.max(1, facts.durationSec)));
}

/**
 * True when the MP4's top-level boxes are sound and the `moov` index comes before the `mdat`
 * (playable from its start). When the space reserved with `-moov_size` was too small, ffmpeg writes
 * the index there all the same — over the start of the media data — and exits 0: the box after the
 * index is then garbage, which this walk catches.
 */
export async function moovFirst(file: string): Promise<boolean> {
	const fh = await open(file, 'r');
	try {
		const { size } = await fh.stat();
		const head = Buffer.alloc(16);
		let moov = false;
		for (let at = 0; at + 8 <= size; ) {
			await fh.read(head, 0, 16, at);
			let len = head.readUInt32BE(0);
			const type = head.toString('latin1', 4, 8);
			if (!/^[a-z0-9 ]{4}$/i.test(type)) return false;
			if (len === 1) len = Number(head.readBigUInt64BE(8));
			else if (len === 0) len = size - at;
			if (len < 8 || at + len > size) return false;
			if (type === 'moov') moov = true;
			if (type === 'mdat') return moov;
			at += len;
		}
		return false;
	} finally {
		await fh.close();
	}
}

/**
 * Whether the «high» rendition is a remux (no re-encoding): an H.264/AAC (yuv420p, SDR) MP4/MOV up
 * to 1080p, as most Android phones write. Anything else (HEVC from iPhones, VP9, MPEG-4…) is
 * transcoded to 720p H.264.
 */
export function remuxable(facts: MediaFacts): boolean {
	const v = facts.video;
	if (!v || !facts.webPlayable) return false;
	const long = Math.max(v.displayWidth, v.displayHeight);
	const short = Math.min(v.displayWidth, v.displayHeight);
	return long <= 1920 && short <= 1080;
}

/**
 * Web-playable H.264/AAC MP4 (faststart).
 * - «high»: 'remux' (stream copy) when `remuxable(facts)`; otherwise a 'transcode' fit within
 *   1280x720 (landscape) / 720x1280 (portrait) (libx264 crf 23 yuv420p, aac 128k).
 * - «light»: always a transcode fit within 854x480 / 480x854, 600 kbit/s (≤ 700k peaks), aac 64k
 *   (≈ 0.66 Mbit/s, ~5 MB a minute) — for slow and metered links.
 * HDR is tone-mapped to SDR, fps capped at 60 (30 for light). Audio-less input → video-only
 * output. Metadata (e.g. GPS location from phones) is dropped, the rotation (display matrix) is
 * kept on remux and applied on transcode.
 */
export async function makeRendition(
	input: string,
	outPath: string,
	facts: MediaFacts,
	opts: {
		timeoutMs?: number;
		onProgress?: (fraction: number) => void;
		signal?: AbortSignal;
		profile?: RenditionProfile;
		threads?: number;
		/**
		 * Write `outPath` in place (no temp file) with this many bytes reserved for the `moov` index
		 * at the front (`-moov_size`) instead of `+faststart` (which rewrites the whole file at the
		 * end): the file grows sequentially and can be uploaded while it is written
		 * (upload-growing.ts). When the space is too small ffmpeg leaves no index there — check with
		 * `moovFirst`.
		 */
		reserveMoovBytes?: number;
	} = {}
): Promise<{ mode: 'remux' | 'transcode' }> {
	requireVideo(facts, 'makeRendition');
	const profile = opts.profile ?? 'high';
	const portrait = isPortrait(facts);
	const [boxW, boxH] = profile === 'light' ? (portrait ? [480, 854] : [854, 480]) : portrait ? [720, 1280] : [1280, 720];
	const mode: 'remux' | 'transcode' = profile === 'high' && remuxable(facts) ? 'remux' : 'transcode';
	const timeoutMs =
		opts.timeoutMs ?? Math.max(120_000, Math.ceil(facts.durationSec * (mode === 'remux' ? 1_000 : 6_000)));
	const threads = String(opts.threads ?? ENCODE.threads);

	const audioArgs: string[] = facts.audio
		? mode === 'remux'
			? ['-map', '0:a:0']
			: ['-map', '0:a:0', '-c:a', 'aac', '-b:a', profile === 'light' ? ENCODE.lightAudio : '128k', ...(facts.audio.channels > 2 ? ['-ac', '2'] : [])]
		: ['-an'];
	const rateArgs =
		profile === 'light'
			? ['-b:v', ENCODE.lightBitrate, '-maxrate', ENCODE.lightMaxrate, '-bufsize', ENCODE.lightBufsize, '-profile:v', 'main', '-fpsmax', '30']
			: ['-crf', String(ENCODE.highCrf), '-profile:v', 'high', '-fpsmax', '60'];
	const codecArgs =
		mode === 'remux'
			? ['-c', 'copy']
			: [
					'-vf',
					[...(await sdrFilters(facts)), fitFilter(boxW, boxH, profile === 'light' ? ENCODE.lightScaleFlags : undefined), 'format=yuv420p'].join(','),
					'-c:v',
					'libx264',
					'-preset',
					profile === 'light' ? ENCODE.lightPreset : ENCODE.preset,
					...rateArgs,
					'-pix_fmt',
					'yuv420p',
					'-threads',
					threads
				];
	const inPlace = !!opts.reserveMoovBytes;
	const tmp = inPlace ? outPath : tempPathFor(outPath);
	const args = [
		'-v',
		'error',
		'-hide_banner',
		'-nostdin',
		'-y',
		...(mode === 'transcode' ? ['-threads', threads] : []),
		...(profile === 'light' && ENCODE.lightSkipLoopFilter ? ['-skip_loop_filter', 'all'] : []),
		...inputArgs(input),
		'-map',
		'0:v:0',
		...audioArgs,
		'-sn',
		'-dn',
		'-map_metadata',
		'-1',
		'-map_chapters',
		'-1',
		...codecArgs,
		'-max_muxing_queue_size',
		'1024',
		...(inPlace ? ['-moov_size', String(Math.round(opts.reserveMoovBytes!))] : ['-movflags', '+faststart']),
		'-progress',
		'pipe:1',
		'-nostats',
		'-f',
		'mp4',
		tmp
	];

	const totalUs = facts.durationSec > 0 ? facts.durationSec * 1e6 : 0;
	let last = -1;
	const report = (f: number) => {
		if (!opts.onProgress) return;
		const x = Math.min(1, Math.max(0, f));
		if (x <= last) return;
		last = x;
		try {
			opts.onProgress(x);
		} catch {
			/* ignore */
		}
	};

	try {
		const r = await run(FFMPEG, args, {
			timeoutMs,
			signal: opts.signal,
			onStdoutLine: (line) => {
				if (!totalUs) return;
				const m = /^out_time_(?:us|ms)=(\d+)/.exec(line);
				if (m) report(Math.min(0.999, Number(m[1]) / totalUs));
			}
		});
		if (r.timedOut) throw timeoutError(`ffmpeg ${mode}`, r, timeoutMs);
		if (r.code !== 0) throw failureError(`ffmpeg ${mode}`, input, r, 'job');
		const st = await stat(tmp).catch(() => null);
		if (!st || st.size === 0) throw new MediaError('crashed', { message: `ffmpeg ${mode}: no output`, stderrTail: r.stderrTail });
		if (!inPlace) await rename(tmp, outPath);
		report(1);
		return { mode };
	} catch (e) {
		await removeQuietly(tmp);
		throw e;
	}
}
