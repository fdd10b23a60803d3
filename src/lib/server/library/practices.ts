/**
 * Library practices: create, edit, publish, unpublish, delete, a draft from a winning
 * application, documents and «Внедрили у себя» (adoptions). Every change is one transaction
 * with its audit event and, for published practices, the search index.
 */
import { and, asc, desc, eq, like, or, sql } from 'drizzle-orm';
import type { DB, DbOrTx } from '../db/client';
import { withApplicationContext } from '../db/entries';
import { adoptions, applications, assets, contests, nominations, practices, users, type Asset, type Practice } from '../db/schema';
import { audit } from '../audit';
import type { Actor } from '../actor';
import { DomainError, forbidden, notFound } from '../errors';
import { newId } from '../ids';
import { MAX_RESULTS, parsePracticeInput, practiceToRaw, type PracticeInput } from '../../schemas/library';
import { SPHERES, sphereOfEntry } from '../../data/spheres';
import { regionsByDistrict } from '../../data/regions';
import { indexPractice, unindexPractice } from './search-index';
import { slugify } from './text';
import { resultsFromText } from './results-text';
import { PRACTICE_STATUS_TITLE } from '../../glossary';


/** Paths under /library/ that are pages, not practices. */
export const RESERVED_SLUGS = new Set(['overview', 'feed', 'practices', 'new', 'import', 'search', 'api']);

function assertOrganizer(actor: Actor) {
	if (actor.role !== 'organizer') throw forbidden('Библиотекой управляют только организаторы');
}

/** A free slug: the wanted one, or with -2, -3… */
export function uniqueSlug(db: DbOrTx, wanted: string, excludeId?: string): string {
	const base = slugify(wanted);
	for (let i = 1; i < 10_000; i++) {
		const cand = i === 1 ? base : `${base.slice(0, 75)}-${i}`;
		if (RESERVED_SLUGS.has(cand)) continue;
		const row = db.select({ id: practices.id }).from(practices).where(eq(practices.slug, cand)).get();
		if (!row || row.id === excludeId) return cand;
	}
	return `${base.slice(0, 55)}-${newId()}`;
}

function values(input: PracticeInput) {
	return {
		title: input.title,
		summary: input.summary,
		problem: input.problem,
		actions: input.actions,
		team: input.team,
		results: input.results,
		regionCode: input.region,
		municipality: input.municipality,
		organization: input.organization,
		sphere: input.sphere,
		nominationTitle: input.nomination,
		year: input.year,
		since: input.since,
		source: input.source,
		tags: input.tags,
		contacts: input.contacts,
		contactsConsent: input.contactsConsent
	};
}

/** Snapshot for the audit log (texts shortened). */
function auditView(p: Practice) {
	return { slug: p.slug, status: p.status, title: p.title, regionCode: p.regionCode, sphere: p.sphere, year: p.year, contactsConsent: p.contactsConsent, videoConsent: p.videoConsent, results: p.results.length, editorNote: p.editorNote ? p.editorNote.length : 0 };
}

export function getPractice(db: DbOrTx, id: string): Practice | undefined {
	return db.select().from(practices).where(eq(practices.id, id)).get();
}

export function getPracticeBySlug(db: DbOrTx, slug: string): Practice | undefined {
	return db.select().from(practices).where(eq(practices.slug, slug)).get();
}

function load(db: DbOrTx, id: string): Practice {
	const p = getPractice(db, id);
	if (!p) throw notFound('Практика не найдена');
	return p;
}

function slugFor(db: DbOrTx, input: PracticeInput, excludeId?: string): string {
	if (!input.slug) return uniqueSlug(db, input.title, excludeId);
	if (RESERVED_SLUGS.has(input.slug)) throw new DomainError(400, 'bad_slug', `Адрес «${input.slug}» занят разделом библиотеки`, { field: 'slug' });
	const taken = db.select({ id: practices.id }).from(practices).where(eq(practices.slug, input.slug)).get();
	if (taken && taken.id !== excludeId) throw new DomainError(409, 'slug_taken', `Адрес «${input.slug}» уже занят другой практикой`, { field: 'slug' });
	return input.slug;
}

/** Inserts a practice (and indexes it when published). Call inside a transaction. */
export function insertPractice(db: DB, actor: Actor, input: PracticeInput, opts: { publish?: boolean; action?: string } = {}, now = new Date()): Practice {
	assertOrganizer(actor);
	const p = db
		.insert(practices)
		.values({
			id: newId(),
			slug: slugFor(db, input),
			status: opts.publish ? 'published' : 'draft',
			...values(input),
			publishedAt: opts.publish ? now : null,
			createdAt: now,
			updatedAt: now
		})
		.returning()
		.get();
	if (p.status === 'published') indexPractice(db, p, now);
	audit(db, { actorId: actor.id, action: opts.action ?? (opts.publish ? 'practice.create_publish' : 'practice.create'), entity: 'practice', entityId: p.id, after: auditView(p) }, now);
	return p;
}

/** A new practice entered by an organizer: a draft, or published at once. */
export function createPractice(db: DB, actor: Actor, input: PracticeInput, opts: { publish?: boolean } = {}, now = new Date()): Practice {
	assertOrganizer(actor);
	return db.transaction(() => insertPractice(db, actor, input, opts, now));
}

export const EDITOR_NOTE_MAX = 10_000;

/**
 * Saves the organizer's edit; a published practice is re-indexed in the same transaction.
 * `extra.editorNote` replaces the private note for the editors (undefined keeps it).
 */
export function updatePractice(db: DB, actor: Actor, id: string, input: PracticeInput, extra: { videoConsent?: boolean; editorNote?: string } = {}, now = new Date()): Practice {
	assertOrganizer(actor);
	return db.transaction(() => {
		const before = load(db, id);
		const p = db
			.update(practices)
			.set({ ...values(input), slug: input.slug ? slugFor(db, input, id) : before.slug, ...(extra.videoConsent === undefined ? {} : { videoConsent: extra.videoConsent }), ...(extra.editorNote === undefined ? {} : { editorNote: extra.editorNote.trim().slice(0, EDITOR_NOTE_MAX) }), updatedAt: now })
			.where(eq(practices.id, id))
			.returning()
			.get();
		if (p.status === 'published') indexPractice(db, p, now);
		audit(db, { actorId: actor.id, action: 'practice.update', entity: 'practice', entityId: id, before: auditView(before), after: auditView(p) }, now);
		return p;
	});
}

/** What must be filled before a practice goes public (a draft from an application may lack it). */
export function publishProblems(p: Practice): Record<string, string> {
	const r = parsePracticeInput(practiceToRaw(p));
	return r.ok ? {} : r.errors;
}

export function publishPractice(db: DB, actor: Actor, id: string, now = new Date()): Practice {
	assertOrganizer(actor);
	return db.transaction(() => {
		const before = load(db, id);
		if (before.editorNote.trim())
			throw new DomainError(400, 'editor_note', 'Практика не опубликована: в черновике осталась заметка редактора. Перенесите нужное в текст или в таблицу результатов и очистите поле «Заметка редактора» — заметка не должна попасть на публичную страницу.', {
				errors: { editor_note: 'Очистите заметку редактора перед публикацией' }
			});
		const problems = publishProblems(before);
		if (Object.keys(problems).length)
			throw new DomainError(400, 'incomplete', `Перед публикацией исправьте: ${Object.values(problems).slice(0, 3).join('; ')}`, { errors: problems });
		const p = db
			.update(practices)
			.set({ status: 'published', publishedAt: before.publishedAt ?? now, updatedAt: now })
			.where(eq(practices.id, id))
			.returning()
			.get();
		indexPractice(db, p, now);
		audit(db, { actorId: actor.id, action: 'practice.publish', entity: 'practice', entityId: id, before: auditView(before), after: auditView(p) }, now);
		return p;
	});
}

export function unpublishPractice(db: DB, actor: Actor, id: string, now = new Date()): Practice {
	assertOrganizer(actor);
	return db.transaction(() => {
		const before = load(db, id);
		if (before.status !== 'published') throw new DomainError(409, 'not_published', 'Практика и так не опубликована');
		const p = db.update(practices).set({ status: 'unpublished', updatedAt: now }).where(eq(practices.id, id)).returning().get();
		unindexPractice(db, id);
		audit(db, { actorId: actor.id, action: 'practice.unpublish', entity: 'practice', entityId: id, before: auditView(before), after: auditView(p) }, now);
		return p;
	});
}

/**
 * Deletes a practice with its documents and the video uploaded for it (not a video that belongs
 * to an application). Returns the S3 keys to remove once the transaction has committed.
 */
export function deletePractice(db: DB, actor: Actor, id: string, now = new Date()): { keys: string[] } {
	assertOrganizer(actor);
	return db.transaction(() => {
		const before = load(db, id);
		const own = db.select().from(assets).where(eq(assets.practiceId, id)).all();
		db.delete(assets).where(eq(assets.practiceId, id)).run();
		unindexPractice(db, id);
		db.delete(practices).where(eq(practices.id, id)).run();
		audit(db, { actorId: actor.id, action: 'practice.delete', entity: 'practice', entityId: id, before: auditView(before) }, now);
		return { keys: own.map((a) => a.key) };
	});
}

// ---------------------------------------------------------------------------
// From a winning application
// ---------------------------------------------------------------------------

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

/** The winners of all contests with the practice made of each, if any (for the organizer). */
export function listWinners(db: DbOrTx) {
	const q = db
		.select({
			id: applications.id,
			number: applications.number,
			practice: applications.practice,
			about: applications.about,
			contestTitle: contests.title,
			year: contests.year,
			nominationTitle: nominations.title,
			fio: users.fio,
			practiceId: practices.id,
			practiceSlug: practices.slug,
			practiceStatus: practices.status
		})
		.from(applications)
		.$dynamic();
	return withApplicationContext(q)
		.leftJoin(practices, eq(practices.applicationId, applications.id))
		.where(eq(applications.status, 'winner'))
		.orderBy(desc(contests.year), asc(nominations.sort), asc(applications.number))
		.all()
		.map((r) => ({
			id: r.id,
			number: r.number,
			title: str(r.practice.title) || `Практика наставничества: ${r.fio}`,
			organization: str(r.about.organization),
			contestTitle: r.contestTitle,
			nominationTitle: r.nominationTitle,
			fio: r.fio,
			practice: r.practiceId ? { id: r.practiceId, slug: r.practiceSlug!, status: r.practiceStatus! } : null
		}));
}

/**
 * A draft practice made of a winning application for the organizer to curate: the texts of the
 * application, its region, organization, nomination, contest and year, its results as table rows
 * (what cannot be read goes to the private editor's note), its video and the author's contacts —
 * both only with the consent the applicant gave in the wizard's consent step.
 */
export function createFromApplication(db: DbOrTx, actor: Actor, applicationId: string, now = new Date()): Practice {
	assertOrganizer(actor);
	return db.transaction(() => {
		const q = db.select({ app: applications, contest: contests, nomination: nominations, user: users }).from(applications).$dynamic();
		const row = withApplicationContext(q)
			.where(eq(applications.id, applicationId))
			.get();
		if (!row) throw notFound('Заявка не найдена');
		if (row.app.status !== 'winner') throw new DomainError(409, 'not_winner', 'В библиотеку попадают только практики победителей');
		const existing = db.select().from(practices).where(eq(practices.applicationId, applicationId)).get();
		if (existing) throw new DomainError(409, 'exists', 'Практика из этой заявки уже создана', { practiceId: existing.id });
		const pr = row.app.practice;
		const ab = row.app.about;
		const title = (str(pr.title) || `Практика наставничества: ${str(ab.organization) || row.user.fio}`).slice(0, 200);
		// The results go to the results table; what cannot be read as «с … до …» waits in the
		// editor's note (private; publishing is refused until the editor clears it).
		const fromText = resultsFromText(str(pr.results), MAX_RESULTS);
		const editorNote = str(pr.results)
			? [
					`Результаты из заявки ${row.app.number ?? ''} — сверьте таблицу результатов с исходным текстом, перенесите недостающее и очистите эту заметку (она не публикуется, но пока она есть, практику нельзя опубликовать).`,
					fromText.rows.length ? `В таблицу перенесено строк: ${fromText.rows.length}.` : 'В таблицу ничего не удалось перенести автоматически.',
					fromText.rest.length ? `Не перенесено:\n${fromText.rest.join('\n')}` : '',
					`Исходный текст:\n${str(pr.results)}`
				]
					.filter(Boolean)
					.join('\n\n')
			: '';
		const video = db
			.select()
			.from(assets)
			.where(and(eq(assets.applicationId, applicationId), eq(assets.kind, 'video'), or(eq(assets.status, 'ready'), eq(assets.status, 'uploaded'), eq(assets.status, 'processing'))))
			.orderBy(desc(assets.createdAt))
			.get();
		const poster = video ? db.select().from(assets).where(and(eq(assets.parentId, video.id), eq(assets.kind, 'poster'), eq(assets.status, 'ready'))).get() : undefined;
		// Contacts and the video only with the consent the applicant gave in the wizard.
		const contacts = row.app.contactsConsent ? [row.user.fio, str(ab.position), str(ab.phone), row.user.email].filter(Boolean).join(', ').slice(0, 500) : '';
		const since = Number(str(pr.since));
		const p = db
			.insert(practices)
			.values({
				id: newId(),
				slug: uniqueSlug(db, title),
				status: 'draft',
				applicationId,
				contestId: row.contest.id,
				title,
				summary: str(pr.problem).slice(0, 600),
				problem: str(pr.problem),
				actions: str(pr.actions),
				team: str(pr.team),
				results: fromText.rows,
				editorNote,
				regionCode: row.app.regionCode ?? (str(ab.regionCode) || null),
				municipality: str(ab.municipality),
				organization: row.app.organization ?? str(ab.organization),
				sphere: sphereOfEntry((row.app.practice as Record<string, unknown>)?.sphere, row.nomination),
				nominationTitle: row.nomination.title,
				year: row.contest.year,
				since: Number.isInteger(since) && since > 1900 ? since : null,
				source: row.contest.title,
				tags: [],
				contacts,
				contactsConsent: row.app.contactsConsent && contacts !== '',
				videoConsent: row.app.videoConsent && !!video,
				videoAssetId: video?.id ?? null,
				posterAssetId: poster?.id ?? null,
				createdAt: now,
				updatedAt: now
			})
			.returning()
			.get();
		audit(db, { actorId: actor.id, action: 'practice.from_application', entity: 'practice', entityId: p.id, after: { ...auditView(p), applicationId } }, now);
		return p;
	});
}

// ---------------------------------------------------------------------------
// The organizer's list
// ---------------------------------------------------------------------------



export function listForOrganizer(db: DbOrTx, f: { q?: string; status?: string } = {}) {
	const where = [];
	if (f.status && f.status in PRACTICE_STATUS_TITLE) where.push(eq(practices.status, f.status as keyof typeof PRACTICE_STATUS_TITLE));
	const q = (f.q ?? '').trim().slice(0, 100);
	if (q) where.push(or(like(practices.title, `%${q.replace(/[%_\\]/g, (c) => '\\' + c)}%`), like(practices.organization, `%${q}%`)));
	const rows = db
		.select({
			id: practices.id,
			slug: practices.slug,
			title: practices.title,
			status: practices.status,
			regionCode: practices.regionCode,
			year: practices.year,
			source: practices.source,
			updatedAt: practices.updatedAt,
			publishedAt: practices.publishedAt,
			applicationId: practices.applicationId
		})
		.from(practices)
		.where(where.length ? and(...where) : undefined)
		.orderBy(desc(practices.updatedAt))
		.limit(500)
		.all();
	const counts = db.select({ status: practices.status, n: sql<number>`count(*)` }).from(practices).groupBy(practices.status).all();
	return { rows, counts: Object.fromEntries(counts.map((c) => [c.status, c.n])) as Record<string, number> };
}

// ---------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------

/** The practice's own video asset, if it has one. */
export function practiceVideo(db: DbOrTx, p: Pick<Practice, 'videoAssetId'>): Asset | undefined {
	return p.videoAssetId ? db.select().from(assets).where(eq(assets.id, p.videoAssetId)).get() : undefined;
}

export function listDocuments(db: DbOrTx, practiceId: string): Asset[] {
	return db
		.select()
		.from(assets)
		.where(and(eq(assets.practiceId, practiceId), eq(assets.kind, 'document'), eq(assets.status, 'ready')))
		.orderBy(asc(assets.createdAt))
		.all();
}

/** Records an uploaded document (the bytes are already in S3 under `key`). */
export function addDocument(db: DbOrTx, actor: Actor, practiceId: string, doc: { id: string; key: string; name: string; mime: string; size: number }, now = new Date()): Asset {
	assertOrganizer(actor);
	return db.transaction(() => {
		const p = load(db, practiceId);
		const a = db
			.insert(assets)
			.values({ id: doc.id, ownerId: actor.id, practiceId: p.id, kind: 'document', status: 'ready', key: doc.key, originalName: doc.name, mime: doc.mime, size: doc.size, createdAt: now, updatedAt: now })
			.returning()
			.get();
		audit(db, { actorId: actor.id, action: 'practice.document_add', entity: 'practice', entityId: p.id, after: { asset: a.id, name: a.originalName, size: a.size } }, now);
		return a;
	});
}

export function removeDocument(db: DbOrTx, actor: Actor, practiceId: string, assetId: string, now = new Date()): { key: string } {
	assertOrganizer(actor);
	return db.transaction(() => {
		const a = db.select().from(assets).where(and(eq(assets.id, assetId), eq(assets.practiceId, practiceId), eq(assets.kind, 'document'))).get();
		if (!a) throw notFound('Документ не найден');
		db.delete(assets).where(eq(assets.id, a.id)).run();
		audit(db, { actorId: actor.id, action: 'practice.document_remove', entity: 'practice', entityId: practiceId, before: { asset: a.id, name: a.originalName } }, now);
		return { key: a.key };
	});
}

// ---------------------------------------------------------------------------
// «Внедрили у себя»
// ---------------------------------------------------------------------------

export function listAdoptions(db: DbOrTx, practiceId: string) {
	return db
		.select({ id: adoptions.id, userId: adoptions.userId, organization: adoptions.organization, result: adoptions.result, createdAt: adoptions.createdAt, updatedAt: adoptions.updatedAt })
		.from(adoptions)
		.where(eq(adoptions.practiceId, practiceId))
		.orderBy(desc(adoptions.createdAt))
		.all();
}

/** A logged-in team records (or updates) that it adopted a published practice. */
export function recordAdoption(db: DbOrTx, actor: Actor, practiceId: string, input: { organization: string; result: string }, now = new Date()) {
	return db.transaction(() => {
		const p = load(db, practiceId);
		if (p.status !== 'published') throw notFound('Практика не найдена');
		const existing = db.select().from(adoptions).where(and(eq(adoptions.practiceId, practiceId), eq(adoptions.userId, actor.id))).get();
		const row = existing
			? db.update(adoptions).set({ organization: input.organization, result: input.result, updatedAt: now }).where(eq(adoptions.id, existing.id)).returning().get()
			: db.insert(adoptions).values({ id: newId(), practiceId, userId: actor.id, organization: input.organization, result: input.result, createdAt: now, updatedAt: now }).returning().get();
		audit(db, { actorId: actor.id, action: existing ? 'adoption.update' : 'adoption.create', entity: 'practice', entityId: practiceId, before: existing ? { organization: existing.organization, result: existing.result } : undefined, after: { organization: row.organization, result: row.result } }, now);
		return row;
	});
}

export function withdrawAdoption(db: DbOrTx, actor: Actor, practiceId: string, now = new Date()) {
	return db.transaction(() => {
		const existing = db.select().from(adoptions).where(and(eq(adoptions.practiceId, practiceId), eq(adoptions.userId, actor.id))).get();
		if (!existing) throw notFound('Отметка о внедрении не найдена');
		db.delete(adoptions).where(eq(adoptions.id, existing.id)).run();
		audit(db, { actorId: actor.id, action: 'adoption.delete', entity: 'practice', entityId: practiceId, before: { organization: existing.organization, result: existing.result } }, now);
	});
}

/** Choices of the organizer's practice form. */
export function formOptions(db: DbOrTx) {
	const fromContests = db.selectDistinct({ t: nominations.title }).from(nominations).all().map((r) => r.t);
	const fromPractices = db.selectDistinct({ t: practices.nominationTitle }).from(practices).all().map((r) => r.t);
	return {
		regions: regionsByDistrict().map((g) => ({ district: { code: g.district.code, name: g.district.name }, regions: g.regions.map((r) => ({ code: r.code, name: r.name })) })),
		spheres: SPHERES.map((s) => ({ code: s.code, title: s.title })),
		nominations: [...new Set([...fromContests, ...fromPractices].filter(Boolean))].sort((a, b) => a.localeCompare(b, 'ru')),
		maxResults: MAX_RESULTS
	};
}
