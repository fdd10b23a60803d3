/**
 * One player (issue 13, point 3): every video of the portal — the applicant's status, the jury's
 * scoring screen, the practice page, the library editor — is played by `VideoPlayer.svelte`, fed
 * by one playback descriptor (`$lib/media/playback.ts`, built by `media/playback.ts`). No other
 * component or page draws a `<video>` of its own.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

function svelteFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
		const p = path.join(dir, e.name);
		return e.isDirectory() ? svelteFiles(p) : e.name.endsWith('.svelte') ? [p] : [];
	});
}

describe('one video player', () => {
	it('only VideoPlayer.svelte draws a <video>, and there is one VideoPlayer', () => {
		const files = svelteFiles(SRC);
		const withVideo = files.filter((f) => /<video[\s>]/.test(readFileSync(f, 'utf8'))).map((f) => path.relative(SRC, f));
		expect(withVideo).toEqual(['lib/components/VideoPlayer.svelte']);
		expect(files.filter((f) => path.basename(f) === 'VideoPlayer.svelte')).toHaveLength(1);
	});
});
