import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { buildNationalFixture } from '../../bench/fixtures/national';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'national-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('bench/fixtures/national.ts (small size)', () => {
	it('builds the round through the domain: submitted entries over the regions, jurors on two nominations, K = 3, two thirds scored, one heavy juror; cached by version', async () => {
		const file = path.join(dir, 'a', 'portal.db');
		const fx = await buildNationalFixture(file, { size: 'small', cacheDir: path.join(dir, 'cache') });
		expect(fx.cached).toBe(false);
		const d = new Database(file, { readonly: true });
		const one = <T>(q: string, ...a: unknown[]) => d.prepare(q).get(...a) as T;
		expect(one<{ n: number }>("select count(*) n from applications where status = 'submitted' and number is not null").n).toBe(240);
		expect(one<{ n: number }>("select count(distinct json_extract(about, '$.regionCode')) n from applications").n).toBe(89);
		expect(one<{ n: number }>("select count(*) n from juror_profiles where json_array_length(nomination_ids) = 2").n).toBe(30);
		const active = "status in ('assigned', 'draft', 'submitted')";
		expect(one<{ n: number }>(`select count(*) n from assignments where ${active}`).n).toBe(240 * 3);
		expect(fx.counts.assignments).toBe(720);
		const submitted = one<{ n: number }>("select count(*) n from assignments where status = 'submitted'").n;
		expect(submitted).toBe(fx.counts.submittedAssignments);
		expect(submitted).toBe(480); // two thirds
		expect(one<{ n: number }>('select count(*) n from scores').n).toBe(submitted * 5);
		expect(one<{ n: number }>(`select count(*) n from assignments where juror_id = ? and ${active}`, fx.heavyJuror.id).n).toBe(40);
		expect(one<{ n: number }>(`select count(*) n from (select application_id from assignments where ${active} group by application_id having count(*) = 3)`).n).toBe(240);
		expect(d.pragma('integrity_check', { simple: true })).toBe('ok');
		d.close();
		// The second call copies the cached file.
		const again = await buildNationalFixture(path.join(dir, 'b', 'portal.db'), { size: 'small', cacheDir: path.join(dir, 'cache') });
		expect(again.cached).toBe(true);
		expect(again.roundId).toBe(fx.roundId);
		expect(fs.statSync(again.path).size).toBe(fs.statSync(file).size);
	});
});
