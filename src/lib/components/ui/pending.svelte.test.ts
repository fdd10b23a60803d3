import { describe, expect, it } from 'vitest';
import type { ActionResult } from '@sveltejs/kit';
import { Pending } from './pending.svelte';

type Submit = ReturnType<ReturnType<Pending['enhance']>>;
type After = Exclude<Awaited<Submit>, void>;

/** Drives the enhance callback as SvelteKit does: submit, then the result with `update`. */
async function submit(p: Pending, opts: Parameters<Pending['enhance']>[0], result: ActionResult, update: (o?: { reset?: boolean }) => Promise<void>) {
	const after = (await (p.enhance(opts) as (i: unknown) => Submit)({})) as After;
	expect(p.on).toBe(true);
	await (after as (i: unknown) => Promise<void>)({ result, update, formData: new FormData(), formElement: null, action: new URL('http://x/'), submitter: null });
}

describe('Pending', () => {
	it('is on from the submit until the result is applied, then off', async () => {
		const p = new Pending();
		expect(p.on).toBe(false);
		const seen: boolean[] = [];
		await submit(p, {}, { type: 'success', status: 200 }, async () => void seen.push(p.on));
		expect(seen).toEqual([true]);
		expect(p.on).toBe(false);
	});

	it('passes reset to update (true unless told otherwise) and calls after with the result before dropping the flag', async () => {
		const p = new Pending();
		const resets: (boolean | undefined)[] = [];
		const update = async (o?: { reset?: boolean }) => void resets.push(o?.reset);
		await submit(p, {}, { type: 'success', status: 200 }, update);
		let got: ActionResult | null = null;
		let onDuringAfter: boolean | null = null;
		await submit(p, { reset: false, after: (r) => ((got = r), (onDuringAfter = p.on)) }, { type: 'failure', status: 400 }, update);
		expect(resets).toEqual([true, false]);
		expect(got).toEqual({ type: 'failure', status: 400 });
		expect(onDuringAfter).toBe(true);
		expect(p.on).toBe(false);
	});

	it('drops the flag even when update throws', async () => {
		const p = new Pending();
		await expect(
			submit(p, {}, { type: 'success', status: 200 }, async () => {
				throw new Error('network');
			})
		).rejects.toThrow('network');
		expect(p.on).toBe(false);
	});
});
