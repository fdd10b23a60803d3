/** Small builders for jury tests against a real SQLite file (see tests/helpers/db.ts). */
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../src/lib/server/db/client';
import { applications, contests, criteria, jurorProfiles, nominations, users } from '../../src/lib/server/db/schema';
import { newId } from '../../src/lib/server/ids';

export interface Fixture {
	contestId: string;
	nominations: string[];
	/** c0 (0–10, weight 3), c1 (1–5, weight 1): common; c2 (0–10): only nomination 1 */
	criteria: string[];
	app(opts?: { nom?: number; region?: string; org?: string; status?: 'submitted' | 'draft' | 'withdrawn'; fio?: string }): string;
	juror(opts?: { noms?: number[]; region?: string; org?: string; capacity?: number; active?: boolean; email?: string; fio?: string }): string;
}

let counter = 0;

export function juryFixture(db: DbOrTx, slug = 'test-2026'): Fixture {
	const contestId = newId();
	const now = new Date();
	db.insert(contests)
		.values({ id: contestId, slug, title: `Конкурс ${slug}`, year: 2026, phase: 'review', openAt: new Date(now.getTime() - 30 * 86400_000), closeAt: new Date(now.getTime() - 86400_000), reviewEndAt: new Date(now.getTime() + 30 * 86400_000), resultsAt: new Date(now.getTime() + 60 * 86400_000), settings: {} })
		.run();
	const noms = [0, 1].map((i) => {
		const id = newId();
		db.insert(nominations).values({ id, contestId, slug: `n${i}`, title: `Номинация ${i}`, track: i ? 'practice' : 'mentor', sort: i }).run();
		return id;
	});
	const crit = [
		{ title: 'Компетенции', weight: 3, scaleMin: 0, scaleMax: 10, nominationId: null, levels: [{ value: 0, label: 'нет' }, { value: 10, label: 'блестяще' }] },
		{ title: 'Видео', weight: 1, scaleMin: 1, scaleMax: 5, nominationId: null, levels: [] },
		{ title: 'Тиражируемость', weight: 2, scaleMin: 0, scaleMax: 10, nominationId: noms[1], levels: [] }
	].map((c, i) => {
		const id = newId();
		db.insert(criteria).values({ id, contestId, ...c, sort: i }).run();
		return id;
	});
	let seq = 0;
	return {
		contestId,
		nominations: noms,
		criteria: crit,
		app(o = {}) {
			const n = ++counter;
			const userId = newId();
			db.insert(users).values({ id: userId, email: `app${n}-${slug}@example.ru`, fio: o.fio ?? `Заявитель Номер ${n}`, role: 'applicant' }).run();
			const id = newId();
			const status = o.status ?? 'submitted';
			const s = status === 'draft' ? null : ++seq;
			db.insert(applications)
				.values({
					id,
					contestId,
					nominationId: noms[o.nom ?? 0],
					applicantId: userId,
					status,
					seq: s,
					number: s ? `НС-2026-${String(s).padStart(5, '0')}` : null,
					regionCode: o.region ?? '77',
					organization: o.org ?? `Организация ${n}`,
					about: { fio: o.fio ?? `Заявитель Номер ${n}` },
					practice: { title: `Практика ${n}` },
					letterText: 'Письмо',
					submittedAt: s ? now : null
				})
				.run();
			return id;
		},
		juror(o = {}) {
			const n = ++counter;
			const id = newId();
			db.insert(users).values({ id, email: o.email ?? `jur${n}-${slug}@example.ru`, fio: o.fio ?? `Эксперт Номер ${n}`, role: 'jury', passwordHash: 'x' }).run();
			db.insert(jurorProfiles)
				.values({ userId: id, nominationIds: (o.noms ?? [0, 1]).map((i) => noms[i]), regionCode: o.region ?? '50', organization: o.org ?? `Экспертная организация ${n}`, capacity: o.capacity ?? 50, active: o.active ?? true })
				.run();
			return id;
		}
	};
}

export function setActive(db: DbOrTx, jurorId: string, active: boolean) {
	db.update(jurorProfiles).set({ active }).where(eq(jurorProfiles.userId, jurorId)).run();
}
