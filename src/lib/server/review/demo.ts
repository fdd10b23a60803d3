/**
 * Demo of the jury (called once from seedDemo): eight jurors with profiles (the demo accounts
 * jury1/jury2 among them) and a few declared conflicts, forty submitted entries of the people in
 * DEMO_APPLICANTS (numbers НС-2026-00001…), round 1 created, routed and started, and some of the
 * assessments begun or submitted — so that a newcomer sees a live jury area at once.
 * Everything is deterministic except the random ids.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { applications, assignments, contests, criteria, jurorProfiles, nominations, users } from '../db/schema';
import { newId } from '../ids';
import { hashPassword } from '../auth/password';
import { DEMO_APPLICANTS, DEMO_PRACTICES, demoLetterText, type DemoPerson } from '../db/demo-content';
import { createRound, activateRound } from './rounds';
import { applyRouting } from './plan';
import { upsertConflict } from './assignments';
import { saveScores } from './scoring';

const DAY = 86400_000;
type Group = 'production' | 'education' | 'social-health' | 'public';
const GROUP_SLUGS: Record<Group, string[]> = {
	production: ['mentor-production', 'practice-production'],
	education: ['mentor-education', 'practice-education'],
	'social-health': ['mentor-social-health', 'practice-social-health'],
	public: ['mentor-public-service', 'practice-public-administration']
};

export const DEMO_JURY: { email: string; fio: string; region: string; organization: string; capacity: number; groups: Group[] }[] = [
	{ email: 'jury1@nastavnik.demo', fio: 'Ермаков Алексей Викторович', region: '77', organization: 'АНО «Центр развития наставничества»', capacity: 22, groups: ['production', 'education', 'social-health', 'public'] },
	{ email: 'jury2@nastavnik.demo', fio: 'Садыкова Гульнара Ринатовна', region: '16', organization: 'Казанский федеральный университет', capacity: 22, groups: ['production', 'education', 'social-health', 'public'] },
	{ email: 'jury3@nastavnik.demo', fio: 'Белов Константин Андреевич', region: '66', organization: 'Уральский федеральный университет', capacity: 18, groups: ['production', 'public'] },
	{ email: 'jury4@nastavnik.demo', fio: 'Лебедева Ирина Павловна', region: '50', organization: 'Московский педагогический государственный университет', capacity: 18, groups: ['education', 'social-health'] },
	{ email: 'jury5@nastavnik.demo', fio: 'Захаров Михаил Олегович', region: '78', organization: 'СПб ГБУЗ «Городская больница № 26»', capacity: 18, groups: ['social-health', 'production'] },
	{ email: 'jury6@nastavnik.demo', fio: 'Фёдорова Анна Сергеевна', region: '54', organization: 'Сибирский институт управления — филиал РАНХиГС', capacity: 18, groups: ['public', 'education'] },
	{ email: 'jury7@nastavnik.demo', fio: 'Григорьев Павел Ильич', region: '52', organization: 'Торгово-промышленная палата Нижегородской области', capacity: 18, groups: ['production', 'education'] },
	{ email: 'jury8@nastavnik.demo', fio: 'Никольская Елена Викторовна', region: '23', organization: 'Кубанский государственный университет', capacity: 18, groups: ['social-health', 'public'] }
];

function hash(s: string): number {
	let h = 2166136261;
	for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
	return h >>> 0;
}

function groupOf(p: DemoPerson): Group {
	const org = p.organization.toLowerCase();
	if (/школ|гимнази|колледж|техникум|лицей|образован|университет/.test(org)) return 'education';
	if (/больниц|поликлиник|медицин|госпитал|социального обслуживания|соцзащит|гбуз/.test(org)) return 'social-health';
	if (/администрац|мэрия|исполнительный комитет|дума|департамент|центр «мой бизнес»/.test(org)) return 'public';
	return 'production';
}

const PRACTICE_TEXT: Record<Group, { title: (p: DemoPerson) => string; problem: string; actions: string; team: string; results: string }> = {
	production: {
		title: (p) => `Наставник рядом: ввод в профессию молодых рабочих (${p.municipality})`,
		problem: 'Молодые рабочие уходили с предприятия в первые полгода: им не хватало практических навыков и поддержки, а опытные сотрудники не успевали заниматься новичками наряду с планом.',
		actions: 'За каждым новичком закреплён наставник из числа опытных рабочих. Составлен план освоения профессии на 6 месяцев: от техники безопасности до самостоятельной работы на оборудовании. Раз в месяц наставник и ученик разбирают успехи и ошибки, мастер участка проверяет выполнение плана, наставнику начисляется доплата.',
		team: 'Наставник, мастер участка, специалист по обучению персонала',
		results: 'Доля новичков, оставшихся на предприятии через год: 58% → 86% (2022–2024, данные отдела кадров). Срок выхода на самостоятельную работу сократился с 5 до 3 месяцев.'
	},
	education: {
		title: (p) => `Первые три года в профессии: сопровождение молодых педагогов (${p.municipality})`,
		problem: 'Молодые учителя испытывали трудности с дисциплиной на уроках и подготовкой документации, треть из них уходила из школы в первые два года работы.',
		actions: 'Для каждого молодого педагога составлен индивидуальный план профессионального развития. Наставник посещает уроки подопечного и приглашает его на свои, вместе они готовят открытые уроки и разбирают трудные ситуации. Работает методический клуб молодых педагогов, проводятся взаимопосещения между школами.',
		team: 'Учителя-наставники, заместитель директора по методической работе, педагог-психолог',
		results: 'Удержание молодых педагогов в течение трёх лет: 64% → 91% (2021–2024, кадровый мониторинг). Пять подопечных стали призёрами муниципального конкурса «Педагогический дебют».'
	},
	'social-health': {
		title: (p) => `Школа наставников: адаптация новых сотрудников (${p.municipality})`,
		problem: 'Новые сотрудники сталкивались с высокой нагрузкой и эмоциональным выгоранием в первые месяцы работы, текучесть среди них доходила до 40% в год.',
		actions: 'Разработана программа адаптации на 3 месяца: наставник сопровождает новичка на рабочем месте, помогает освоить стандарты и документацию, проводит еженедельные разборы случаев. Для наставников организовано обучение методам обратной связи и профилактике выгорания.',
		team: 'Старшие специалисты-наставники, отдел кадров, психолог',
		results: 'Текучесть среди новых сотрудников: 40% → 18% в год (2022–2024, данные отдела кадров). Удовлетворённость адаптацией по анкетам — 4,7 из 5.'
	},
	public: {
		title: (p) => `Наставничество на муниципальной службе: от стажёра до специалиста (${p.municipality})`,
		problem: 'Новые муниципальные служащие долго осваивали регламенты и документооборот, а кадровый резерв руководителей не пополнялся изнутри.',
		actions: 'Каждому новому служащему назначается наставник из его подразделения и чек-лист первых 90 дней. Для кадрового резерва организованы проектные группы под руководством опытных руководителей. Итоги адаптации обсуждаются на аттестационной комиссии.',
		team: 'Кадровая служба, руководители структурных подразделений, 20 наставников',
		results: 'Текучесть в первый год службы: 30% → 17% (2021–2024, кадровая служба). Доля руководящих должностей, занятых резервистами: 25% → 60%.'
	}
};

function practiceFor(p: DemoPerson, group: Group): Record<string, string | number> {
	const lib = DEMO_PRACTICES.find((x) => x.organization === p.organization);
	if (lib)
		return {
			title: lib.title,
			problem: lib.problem,
			actions: lib.actions,
			team: lib.team,
			since: lib.since,
			results: lib.results
				.map((r) => `${r.indicator}: ${r.baseline != null ? `${String(r.baseline).replace('.', ',')} → ` : ''}${String(r.value).replace('.', ',')} ${r.unit} (${r.period}; ${r.source})`)
				.join('\n')
		};
	const t = PRACTICE_TEXT[group];
	return { title: t.title(p), problem: t.problem, actions: t.actions, team: t.team, since: 2026 - Math.min(p.mentoringYears, 10), results: t.results };
}

/** Seeds the jury demo into the demo contest. Returns false when the contest is missing or already has rounds. */
export async function seedJuryDemo(db: DbOrTx, contestSlug = 'nastavnichestvo-2026', password = 'nastavnik2026', now = new Date()): Promise<boolean> {
	const contest = db.select().from(contests).where(eq(contests.slug, contestSlug)).get();
	if (!contest) return false;
	const noms = db.select().from(nominations).where(eq(nominations.contestId, contest.id)).orderBy(asc(nominations.sort)).all();
	const nomBySlug = new Map(noms.map((n) => [n.slug, n]));
	const passwordHash = await hashPassword(password);
	return db.transaction((d) => {
		if (d.select({ id: applications.id }).from(applications).where(and(eq(applications.contestId, contest.id), eq(applications.seq, 1))).get()) return false;

		// --- jury
		const juryIds: string[] = [];
		for (const j of DEMO_JURY) {
			let user = d.select().from(users).where(eq(users.email, j.email)).get();
			if (!user)
				user = d
					.insert(users)
					.values({ id: newId(), email: j.email, fio: j.fio, role: 'jury', passwordHash, emailVerifiedAt: now, createdAt: now, updatedAt: now })
					.returning()
					.get();
			const nominationIds = j.groups.flatMap((g) => GROUP_SLUGS[g].map((s) => nomBySlug.get(s)?.id)).filter((x): x is string => !!x);
			d.insert(jurorProfiles)
				.values({ userId: user.id, nominationIds, regionCode: j.region, organization: j.organization, capacity: j.capacity, active: true, createdAt: now, updatedAt: now })
				.onConflictDoUpdate({ target: jurorProfiles.userId, set: { nominationIds, regionCode: j.region, organization: j.organization, capacity: j.capacity, active: true, updatedAt: now } })
				.run();
			juryIds.push(user.id);
		}

		// --- forty submitted entries
		const appIds: { id: string; group: Group; person: DemoPerson }[] = [];
		DEMO_APPLICANTS.forEach((p, i) => {
			let user = d.select().from(users).where(eq(users.email, p.email.toLowerCase())).get();
			user ??= d.insert(users).values({ id: newId(), email: p.email.toLowerCase(), fio: p.fio, role: 'applicant', passwordHash: null, emailVerifiedAt: now, createdAt: now, updatedAt: now }).returning().get();
			const group = groupOf(p);
			const lib = DEMO_PRACTICES.find((x) => x.organization === p.organization);
			// practices that are in the library compete as team practices; the others alternate
			const slug = lib && nomBySlug.has(lib.nominationSlug) ? lib.nominationSlug : GROUP_SLUGS[group][i % 3 === 0 ? 1 : 0];
			const nom = nomBySlug.get(slug) ?? noms[0];
			const seq = i + 1;
			const submittedAt = new Date(now.getTime() - (DEMO_APPLICANTS.length - i) * 3 * 3600_000);
			const id = newId();
			d.insert(applications)
				.values({
					id,
					contestId: contest.id,
					nominationId: nom.id,
					applicantId: user.id,
					number: `${contest.numberPrefix}-${contest.year}-${String(seq).padStart(5, '0')}`,
					seq,
					status: 'submitted',
					regionCode: p.region,
					organization: p.organization,
					about: { fio: p.fio, regionCode: p.region, municipality: p.municipality, organization: p.organization, position: p.position, mentoringYears: p.mentoringYears, phone: p.phone },
					practice: practiceFor(p, group),
					letterText: demoLetterText(p),
					consentVersion: '2026-01',
					consentAt: submittedAt,
					version: 3,
					submittedAt,
					createdAt: new Date(submittedAt.getTime() - 2 * DAY),
					updatedAt: submittedAt
				})
				.run();
			appIds.push({ id, group, person: p });
		});

		// --- declared conflicts: a juror knows the applicant
		const firstOf = (g: Group, skip = 0) => appIds.filter((a) => a.group === g)[skip];
		const declared: [number, { id: string } | undefined, string][] = [
			[3, firstOf('education'), 'Была научным руководителем заявителя в магистратуре'],
			[3, firstOf('education', 1), 'Вместе работаем в региональном методическом совете'],
			[6, firstOf('production'), 'Заявитель — член нашей рабочей группы по кадрам'],
			[7, firstOf('social-health'), 'Родственные связи с руководством организации заявителя']
		];
		for (const [j, app, comment] of declared) if (app) upsertConflict(d, juryIds[j], app.id, 'declared', comment, null, now);

		// --- round 1: created, routed, started
		const round = createRound(d, contest.id, { number: 1, title: 'Заочный тур', deadlineAt: new Date(now.getTime() + 21 * DAY) }, null, now);
		applyRouting(d, null, round.id, {}, now);
		activateRound(d, round.id, null, now);

		// --- some assessments begun and submitted
		const crit = d.select().from(criteria).where(eq(criteria.contestId, contest.id)).orderBy(asc(criteria.sort)).all();
		const plan: [number, number, number][] = [
			// juror index, submitted, drafts
			[0, 3, 2],
			[1, 2, 1],
			[2, 2, 1],
			[3, 1, 1],
			[4, 2, 0],
			[5, 1, 1],
			[6, 0, 1],
			[7, 1, 0]
		];
		for (const [j, nSubmitted, nDraft] of plan) {
			const mine = d
				.select({ id: assignments.id, applicationId: assignments.applicationId, version: assignments.version, seq: applications.seq, nominationId: applications.nominationId })
				.from(assignments)
				.innerJoin(applications, eq(applications.id, assignments.applicationId))
				.where(and(eq(assignments.roundId, round.id), eq(assignments.jurorId, juryIds[j])))
				.orderBy(asc(applications.seq))
				.all();
			mine.slice(0, nSubmitted + nDraft).forEach((a, k) => {
				const submit = k < nSubmitted;
				const applicable = crit.filter((c) => !c.nominationId || c.nominationId === a.nominationId);
				const values: Record<string, number> = {};
				applicable.forEach((c, ci) => {
					if (!submit && ci >= 2) return; // a draft: the first criteria only
					const h = hash(`${a.seq}:${j}:${ci}`);
					const span = c.scaleMax - c.scaleMin;
					values[c.id] = c.scaleMin + Math.min(span, Math.round(span * 0.45) + (h % Math.max(1, Math.round(span * 0.5))));
				});
				const at = new Date(now.getTime() - (nSubmitted + nDraft - k) * 3600_000);
				saveScores(d, { id: juryIds[j], role: 'jury' }, a.id, { values, comment: submit ? 'Сильная заявка: результаты подтверждены цифрами, видно системную работу наставника.' : '', version: a.version, intent: submit ? 'submit' : 'draft' }, at);
			});
		}
		return true;
	});
}
