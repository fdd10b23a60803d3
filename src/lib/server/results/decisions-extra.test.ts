import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tempDb } from '../../../../tests/helpers/db';
import { seedResultsContest, type SeededResults } from '../../../../tests/helpers/results-data';
import type { DB } from '../db/client';
import { applications, assignments, auditEvents, contests, mailDeliveries, rounds } from '../db/schema';
import type { Mail } from '../mail/mailer';
import { auditConsole } from '../admin/audit-console';
import { applicantFeedback } from './feedback';
import { composeDecisionMail, deliverPending, mailingStatus, MAX_ATTEMPTS, queueDecisionMails, requestDelivery } from './mailing';
import { calibrationView, jurorSignals } from './quality';
import { assignCalibration } from '../review/assignments';
import { dashboard, resultsIndex } from './dashboard';
import { computeRound, loadRound } from './load';
import { markWinners } from './decisions';

let t: ReturnType<typeof tempDb>;
let db: DB;
let s: SeededResults;
const org = { id: 'org-1', role: 'organizer' as const, ip: '127.0.0.1' };
beforeEach(() => {
	t = tempDb();
	db = t.db;
	s = seedResultsContest(db);
});
afterEach(() => t.cleanup());

const setSettings = (patch: Record<string, unknown>) => {
	const c = db.select().from(contests).where(eq(contests.id, s.contestId)).get()!;
	db.update(contests).set({ settings: { ...(c.settings as object), ...patch } }).where(eq(contests.id, s.contestId)).run();
};

describe('feedback to applicants', () => {
	it('is null until released; then per-criterion means and anonymized comments', () => {
		expect(applicantFeedback(db, s.apps.M2)).toBeNull();
		setSettings({ releaseFeedback: true });
		const fb = applicantFeedback(db, s.apps.M2)!;
		expect(fb).toHaveLength(1);
		expect(fb[0]).toMatchObject({ title: 'Первый тур', reviews: 3 });
		expect(fb[0].criteria).toEqual([
			{ title: 'Актуальность', scaleMin: 0, scaleMax: 10, mean: (5 + 10 + 2) / 3 },
			{ title: 'Результативность', scaleMin: 0, scaleMax: 10, mean: (5 + 10 + 2) / 3 }
		]);
		expect(fb[0].comments.map((c) => c.label)).toEqual(['Эксперт 1', 'Эксперт 2', 'Эксперт 3']);
		// The applicant reads the feedback written for them, never the comment for the organizers.
		expect(fb[0].comments.map((c) => c.text).sort()).toEqual(['Отзыв J1 к M2', 'Отзыв J2 к M2', 'Отзыв J4 к M2']);
		const flat = JSON.stringify(fb);
		expect(flat).not.toContain('Комментарий');
		for (const j of Object.values(s.jurors)) expect(flat).not.toContain(j);
		expect(flat).not.toContain('Антонов');
		// Nothing submitted → nothing to show.
		expect(applicantFeedback(db, s.apps.P4)).toBeNull();
	});
});

describe('decision mails', () => {
	it('composes Russian letters per decision', () => {
		const m = composeDecisionMail({ email: 'a@b.ru', fio: 'Иванова С. П.', number: 'НС-1', nomination: 'Наставник', kind: 'winner' }, { title: 'Наставничество-2026' }, 'http://x/cabinet/applications/1', true);
		expect(m.subject).toBe('Заявка НС-1: вы победитель');
		expect(m.text).toContain('стала победителем конкурса «Наставничество-2026»');
		expect(m.text).toContain('отзывы, которые эксперты написали для вас');
		const n = composeDecisionMail({ email: 'a@b.ru', fio: 'И', number: 'НС-2', nomination: 'Н', kind: 'not_selected' }, { title: 'К' }, 'http://x', false);
		expect(n.text).toContain('не вошла в число победителей');
	});

	it('queues once per application, sends, records failures and retries them', async () => {
		markWinners(db, org, s.roundId, [s.apps.M1, s.apps.P1]);
		const q = queueDecisionMails(db, org, s.contestId, ['winner', 'not_selected']);
		expect(q).toEqual({ queued: 8, already: 0 });
		expect(queueDecisionMails(db, org, s.contestId, ['winner', 'not_selected'])).toEqual({ queued: 0, already: 8 });
		const sent: Mail[] = [];
		let failFor = `m2-`;
		const send = async (m: Mail) => {
			if (m.to.startsWith(failFor)) throw new Error('SMTP 451 временная ошибка');
			sent.push(m);
			return { id: `<${sent.length}@test>` };
		};
		const r1 = await deliverPending(db, org, s.contestId, { send, origin: 'http://portal.test', limit: 100 });
		expect(r1).toEqual({ sent: 7, failed: 1, left: 1 });
		expect(sent.filter((m) => m.subject.includes('победитель'))).toHaveLength(2);
		expect(sent[0].text).toContain('http://portal.test/cabinet/applications/');
		const st = mailingStatus(db, s.contestId);
		expect(st).toMatchObject({ total: 8, sent: 7, failed: 1, due: 1, gaveUp: 0 });
		expect(st.failures[0]).toMatchObject({ attempts: 1, error: 'SMTP 451 временная ошибка' });
		failFor = 'nobody';
		const r2 = await deliverPending(db, org, s.contestId, { send, origin: 'http://portal.test' });
		expect(r2).toEqual({ sent: 1, failed: 0, left: 0 });
		expect(mailingStatus(db, s.contestId)).toMatchObject({ sent: 8, failed: 0, due: 0 });
		// a permanently failing address stops after MAX_ATTEMPTS
		db.update(mailDeliveries).set({ status: 'failed', attempts: MAX_ATTEMPTS }).where(eq(mailDeliveries.applicationId, s.apps.M3)).run();
		expect(mailingStatus(db, s.contestId)).toMatchObject({ failed: 1, due: 0, gaveUp: 1 });
		expect((await deliverPending(db, org, s.contestId, { send, origin: 'http://portal.test' })).sent).toBe(0);
		expect(db.select().from(auditEvents).where(eq(auditEvents.action, 'mail.deliver')).all()).toHaveLength(2);
	});

	it('refuses when there is nobody to write to', () => {
		expect(() => queueDecisionMails(db, org, s.contestId, ['winner'])).toThrow(/писать некому/);
	});
});

describe('juror quality signals and calibration', () => {
	it('signals from the juror statistics and the timestamps', () => {
		const l = loadRound(db, s.roundId);
		const sig = jurorSignals(l, computeRound(l, { normalize: false }));
		const j4 = sig.find((j) => j.jurorId === s.jurors.J4)!;
		expect(j4).toMatchObject({ assigned: 6, submitted: 4, pending: 2, overdue: 2, count: 4, medianMinutes: 1, fast: 4 });
		expect(j4.flags.fast).toBe(true);
		const j1 = sig.find((j) => j.jurorId === s.jurors.J1)!;
		expect(j1.medianMinutes).toBeGreaterThanOrEqual(10);
		expect(j1.flags.fast).toBe(false);
		// J2 scored M2 with 100 where the others gave 50 and 20: far from the co-jurors there
		const j2 = sig.find((j) => j.jurorId === s.jurors.J2)!;
		expect(j2.agreement).toBeGreaterThan(0);
	});

	it('calibration entries are assigned to every eligible juror and shown with their spread', () => {
		setSettings({ calibrationEntryIds: [s.apps.M3] });
		const r = assignCalibration(db, org, s.roundId);
		expect(r.added).toBe(2); // J1 and J5 (J2, J3, J4 already on M3)
		const l = loadRound(db, s.roundId);
		const cal = calibrationView(l, computeRound(l), new Map());
		expect(cal).toHaveLength(1);
		expect(cal[0]).toMatchObject({ applicationId: s.apps.M3, inRound: true, mean: 70, spread: 0, waiting: 2 });
		expect(assignCalibration(db, org, s.roundId).added).toBe(0);
	});
});

describe('dashboard and audit console', () => {
	it('counts by status, nomination, district, day; jury progress; disagreements', () => {
		const d = dashboard(db, s.contestId, undefined, Date.now())!;
		expect(d.totals).toMatchObject({ all: 8, competing: 8, drafts: 0 });
		expect(d.byNomination.map((n) => n.n)).toEqual([4, 4]);
		expect(d.byDistrict.find((x) => x.short === 'ПФО')?.n).toBe(2); // 16 Татарстан, 02 Башкортостан
		expect(d.byDay.reduce((a, x) => a + x.n, 0)).toBe(8);
		expect(d.round?.id).toBe(s.roundId);
		expect(d.jury.find((j) => j.jurorId === s.jurors.J4)).toMatchObject({ assigned: 6, submitted: 4, overdue: 2 });
		expect(d.disagreement).toMatchObject({ flagged: 1, scored: 7 }); // every entry but P4 has ≥ 2 reviews
		expect(d.disagreement.spreadHistogram[8].n).toBe(1); // M2: spread 80
		expect(resultsIndex(db)[0].rounds[0]).toMatchObject({ id: s.roundId, entries: 8 });
		// a contest without rounds: no jury part, an empty state on the page
		const other = seedResultsContest(db);
		db.delete(rounds).where(eq(rounds.contestId, other.contestId)).run();
		const e = dashboard(db, other.contestId)!;
		expect(e.round).toBeNull();
		expect(e.jury).toEqual([]);
		expect(e.disagreement.flagged).toBe(0);
		expect(dashboard(db, 'no-such-contest')).toBeNull();
	});

	it('filters the audit log by entity, actor, action and Moscow days', () => {
		db.update(applications).set({ status: 'in_review' }).run();
		markWinners(db, { id: s.jurors.J1, role: 'jury' }, s.roundId, [s.apps.M1]);
		const all = auditConsole(db, { entity: '', entityId: '', actor: '', action: '', from: '', to: '', page: 1 });
		expect(all.actions).toEqual(['application.status', 'results.winners']);
		expect(all.events[0]).toMatchObject({ action: 'results.winners', actor: { fio: 'Антонов Борис Ильич', role: 'jury' } });
		const one = auditConsole(db, { entity: 'application', entityId: s.apps.M1, actor: '', action: '', from: '', to: '', page: 1 });
		expect(one.events).toHaveLength(1);
		expect(one.events[0]).toMatchObject({ before: { status: 'in_review' }, after: { status: 'winner' } });
		const today = new Date(Date.now() + 3 * 3600_000).toISOString().slice(0, 10);
		expect(auditConsole(db, { entity: '', entityId: '', actor: s.jurors.J1, action: 'application.status', from: today, to: today, page: 1 }).events).toHaveLength(8);
		expect(auditConsole(db, { entity: '', entityId: '', actor: '', action: '', from: '2020-01-01', to: '2020-01-02', page: 1 }).events).toHaveLength(0);
		expect(db.select().from(assignments).all().length).toBe(24);
	});
});

describe('decision mails through the durable queue', () => {
	it('«отправить сейчас» brings the waiting delivery job forward and sends nothing itself (issue 13, point 5)', async () => {
		const { jobs } = await import('../db/schema');
		const { DECISION_MAIL_KIND } = await import('./mailing');
		markWinners(db, org, s.roundId, [s.apps.M1, s.apps.P1]);
		queueDecisionMails(db, org, s.contestId, ['winner', 'not_selected']);
		// The job failed once and waits out its backoff.
		const later = new Date(Date.now() + 3600_000);
		db.update(jobs).set({ runAt: later }).where(eq(jobs.kind, DECISION_MAIL_KIND)).run();
		const now = new Date();
		const r = requestDelivery(db, org, s.contestId, now);
		expect(r.due).toBe(8);
		const queued = db.select().from(jobs).where(eq(jobs.kind, DECISION_MAIL_KIND)).all();
		expect(queued).toHaveLength(1);
		expect(queued[0]).toMatchObject({ id: r.jobId, status: 'queued' });
		expect(queued[0].runAt.getTime()).toBe(now.getTime());
		// Nothing was sent inside the request.
		expect(mailingStatus(db, s.contestId)).toMatchObject({ pending: 8, sent: 0 });
		expect(db.select().from(auditEvents).where(eq(auditEvents.action, 'mail.request')).get()).toMatchObject({ actorId: org.id, ip: org.ip, after: { due: 8 } });
		// Nothing due: no job, nothing audited.
		db.update(mailDeliveries).set({ status: 'sent' }).run();
		expect(requestDelivery(db, org, s.contestId)).toEqual({ due: 0, jobId: null });
		expect(db.select().from(auditEvents).where(eq(auditEvents.action, 'mail.request')).all()).toHaveLength(1);
	});

	it('queueing enqueues one delivery job in the same transaction; the worker sends every letter', async () => {
		const { jobs } = await import('../db/schema');
		const { runJobNow } = await import('../jobs/worker');
		const { decisionMailHandler, DECISION_MAIL_KIND } = await import('./mailing');
		const { parseConfig, setConfig } = await import('../config');
		const fs = await import('node:fs');
		const os = await import('node:os');
		const path = await import('node:path');
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'decisions-'));
		setConfig(parseConfig({ NODE_ENV: 'test', DATA_DIR: dir }));
		try {
			markWinners(db, org, s.roundId, [s.apps.M1, s.apps.P1]);
			queueDecisionMails(db, org, s.contestId, ['winner', 'not_selected']);
			// Queueing again keeps one delivery job.
			queueDecisionMails(db, org, s.contestId, ['winner']);
			const queued = db.select().from(jobs).where(eq(jobs.kind, DECISION_MAIL_KIND)).all();
			expect(queued).toHaveLength(1);
			const done = await runJobNow(db, queued[0].id, [decisionMailHandler]);
			expect(done?.status).toBe('done');
			expect(mailingStatus(db, s.contestId)).toMatchObject({ due: 0 });
			expect(db.select().from(mailDeliveries).all().every((d) => d.status === 'sent')).toBe(true);
			expect(fs.readdirSync(path.join(dir, 'outbox'))).toHaveLength(8);
		} finally {
			setConfig(undefined);
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});
