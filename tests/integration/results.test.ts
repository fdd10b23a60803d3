import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { eq } from 'drizzle-orm';
import { startPortal, Client, type Portal } from '../helpers/portal';
import { seedResultsContest, type SeededResults } from '../helpers/results-data';
import { openDatabase, type DB } from '../../src/lib/server/db/client';
import { assignments, contests, rounds } from '../../src/lib/server/db/schema';
import { newId } from '../../src/lib/server/ids';

// The portal runs with its own database (WAL); the test writes its scored contest into the same
// file — SQLite lets two processes share it, and the server reads nothing into memory ahead.
let portal: Portal;
let db: DB;
let s: SeededResults;
let emptyRoundId: string;
const clients: Record<string, Client> = {};
const ACCOUNTS = { applicant: 'applicant1@nastavnik.demo', jury: 'jury1@nastavnik.demo', organizer: 'org@nastavnik.demo' };

beforeAll(async () => {
	portal = await startPortal();
	db = openDatabase(path.join(portal.dataDir, 'portal.db'));
	s = seedResultsContest(db, { applicantEmail: ACCOUNTS.applicant });
	// a second contest with an empty round
	const other = seedResultsContest(db);
	emptyRoundId = newId();
	db.insert(rounds).values({ id: emptyRoundId, contestId: other.contestId, number: 2, title: 'Пустой тур', status: 'draft' }).run();
	clients.anonymous = new Client(portal.url);
	for (const [role, email] of Object.entries(ACCOUNTS)) {
		const c = new Client(portal.url);
		expect((await c.post('/login', { email, password: 'nastavnik2026' })).status).toBe(303);
		clients[role] = c;
	}
});
afterAll(async () => {
	db?.$client.close();
	await portal?.stop();
});

describe('results console: organizer only', () => {
	const paths = () => [
		'/admin/results',
		`/admin/results/${s.roundId}`,
		`/admin/results/${s.roundId}/jurors`,
		`/admin/results/${s.roundId}/finals`,
		`/admin/results/${s.roundId}/winners`,
		`/admin/results/${s.roundId}/protocol`,
		`/admin/results/contest/${s.contestId}`,
		'/admin/dashboard',
		'/admin/audit',
		`/admin/results/${s.roundId}/export/entries.csv`,
		`/admin/results/${s.roundId}/export/entries.xlsx`
	];
	it('anonymous → login, applicant and jury → 403, organizer → 200', async () => {
		for (const p of paths()) {
			const a = await clients.anonymous.get(p);
			expect(a.status, p).toBe(303);
			expect(a.headers.get('location')).toMatch(/^\/login\?next=/);
			expect((await clients.applicant.get(p)).status, p).toBe(403);
			expect((await clients.jury.get(p)).status, p).toBe(403);
			const o = await clients.organizer.get(p);
			expect(o.status, p).toBe(200);
			await o.arrayBuffer();
		}
	});

	it('actions are refused for other roles', async () => {
		const r = await clients.applicant.post(`/admin/results/${s.roundId}?/addJuror`, { applicationId: s.apps.M2 });
		expect(r.status).toBe(403);
		const j = await clients.jury.post(`/admin/results/contest/${s.contestId}?/settings`, { disagreementThreshold: '5', winnersPerNomination: '1', jurorsPerEntry: '3' });
		expect(j.status).toBe(403);
		expect(db.select().from(assignments).where(eq(assignments.applicationId, s.apps.M2)).all()).toHaveLength(3);
	});
});

describe('results pages and exports', () => {
	it('the table shows scores, ranks, missing reviews and the flag', async () => {
		const html = await (await clients.organizer.get(`/admin/results/${s.roundId}`)).text();
		expect(html).toContain(s.numbers.M2);
		expect(html).toContain('83,33');
		expect(html).toContain('не хватает 1');
		expect(html).toContain('расхождение');
		expect(html).toContain('Назначить ещё эксперта');
		const norm = await (await clients.organizer.get(`/admin/results/${s.roundId}?norm=on`)).text();
		// the explanation of the z-score method (named «Z-оценка» since the third method, issue 16)
		expect(norm).toContain('Z-оценка: итог каждого эксперта');
	});

	it('CSV: content type, BOM, rows', async () => {
		const r = await clients.organizer.get(`/admin/results/${s.roundId}/export/entries.csv`);
		expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.csv"; filename\*=UTF-8''/);
		const buf = Buffer.from(await r.arrayBuffer());
		expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const lines = buf.toString('utf8').slice(1).split('\r\n').filter(Boolean);
		expect(lines).toHaveLength(9);
		expect(lines[0].split(';').slice(0, 3)).toEqual(['Номинация', 'Трек', 'Место']);
		expect(lines[1]).toContain(s.numbers.M1);
		expect(lines[1]).toContain('83,33');
	});

	it('XLSX: content type and the rows read back with exceljs', async () => {
		const r = await clients.organizer.get(`/admin/results/${s.roundId}/export/entries.xlsx`);
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
		const wb = new ExcelJS.Workbook();
		await wb.xlsx.load(await r.arrayBuffer());
		const ws = wb.getWorksheet('Заявки')!;
		expect(ws.rowCount).toBe(9);
		expect(ws.getRow(2).getCell(6).value).toBe(s.numbers.M1);
		const jr = await clients.organizer.get(`/admin/results/${s.roundId}/export/jurors.xlsx`);
		const jwb = new ExcelJS.Workbook();
		await jwb.xlsx.load(await jr.arrayBuffer());
		expect(jwb.worksheets).toHaveLength(5);
		const pr = await clients.organizer.get(`/admin/results/${s.roundId}/export/protocol.xlsx`);
		expect(pr.status).toBe(200);
		await pr.arrayBuffer();
	});

	it('exporting an empty round gets a clear answer', async () => {
		const r = await clients.organizer.get(`/admin/results/${emptyRoundId}/export/entries.xlsx`);
		expect(r.status).toBe(409);
		expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
		expect(await r.text()).toContain('нет заявок — выгружать нечего');
		const page = await (await clients.organizer.get(`/admin/results/${emptyRoundId}`)).text();
		expect(page).toContain('В туре нет заявок');
	});
});

describe('actions through the server', () => {
	it('one more juror for a flagged entry, then settings refused once the finals started', async () => {
		const r = await clients.organizer.post(`/admin/results/${s.roundId}?/addJuror`, { applicationId: s.apps.M2, number: s.numbers.M2 });
		expect(r.status).toBe(200);
		const rows = db.select().from(assignments).where(eq(assignments.applicationId, s.apps.M2)).all();
		expect(rows.map((x) => x.jurorId)).toContain(s.jurors.J5);

		const ok = await clients.organizer.post(`/admin/results/contest/${s.contestId}?/settings`, { disagreementThreshold: '25', winnersPerNomination: '1', jurorsPerEntry: '3' });
		expect(ok.status).toBe(200);
		// finals started: an active round 2
		db.insert(rounds).values({ id: newId(), contestId: s.contestId, number: 2, title: 'Финал', status: 'active' }).run();
		const refused = await clients.organizer.post(`/admin/results/contest/${s.contestId}?/settings`, { normalize: 'on', disagreementThreshold: '25', winnersPerNomination: '1', jurorsPerEntry: '3' });
		expect(refused.status).toBe(409);
		expect(await refused.text()).toContain('Финал уже начался');
		const c = db.select().from(contests).where(eq(contests.id, s.contestId)).get()!;
		expect((c.settings as { normalize?: boolean }).normalize).toBe(false);
		const audit = await (await clients.organizer.get(`/admin/audit?action=assignment.add`)).text();
		expect(audit).toContain('Назначение эксперта');
	});
});
