import { afterAll, beforeAll, expect } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildNationalFixture } from '../../bench/fixtures/national';
import { openDatabase, type DB } from '../../src/lib/server/db/client';
import { runMigrations } from '../../src/lib/server/db/migrate';
import { rounds } from '../../src/lib/server/db/schema';
import { seedDemo } from '../../src/lib/server/seed';
import { tempDb } from './db';

export interface ScaleDataSet {
	name: string;
	db: DB;
	roundId: string;
}

/**
 * The two data sets the views at scale are checked on — the demo data (index 0) and a generated
 * national round (bench/fixtures/national.ts, small; index 1) — built in `beforeAll` of the calling
 * file and removed in `afterAll`. The returned array is filled once `beforeAll` has run.
 */
export function scaleDataSets(): ScaleDataSet[] {
	const sets: ScaleDataSet[] = [];
	const cleanups: (() => void)[] = [];
	beforeAll(async () => {
		const demo = tempDb();
		cleanups.push(demo.cleanup);
		expect(await seedDemo(demo.db)).toBe(true);
		sets.push({ name: 'демо', db: demo.db, roundId: demo.db.select().from(rounds).get()!.id });
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scale-data-'));
		const file = path.join(dir, 'portal.db');
		const fx = await buildNationalFixture(file, { size: 'small' });
		const gen = openDatabase(file);
		runMigrations(gen);
		cleanups.push(() => {
			gen.$client.close();
			fs.rmSync(dir, { recursive: true, force: true });
		});
		sets.push({ name: 'сгенерированный тур', db: gen, roundId: fx.roundId });
	}, 180_000);
	afterAll(() => cleanups.forEach((c) => c()));
	return sets;
}
