/**
 * Spheres of practices in the library (a production list: the practice form, the filters, the
 * import and the open data use it; the demo content only picks from it).
 */
export const SPHERES: { code: string; title: string }[] = [
	{ code: 'production', title: 'Промышленность' },
	{ code: 'education', title: 'Образование' },
	{ code: 'health', title: 'Здравоохранение' },
	{ code: 'social', title: 'Социальная поддержка' },
	{ code: 'municipal', title: 'Муниципальное управление' },
	{ code: 'housing', title: 'ЖКХ' },
	{ code: 'transport', title: 'Транспорт' },
	{ code: 'public_spaces', title: 'Общественные пространства' },
	{ code: 'waste', title: 'Обращение с отходами' },
	{ code: 'youth', title: 'Молодёжная политика' },
	{ code: 'investment', title: 'Инвестиции и предпринимательство' },
	{ code: 'culture', title: 'Культура' },
	{ code: 'sport', title: 'Спорт' }
];

export const SPHERE_CODES: readonly string[] = SPHERES.map((s) => s.code);

export function sphereTitle(code: string): string {
	return SPHERES.find((s) => s.code === code)?.title ?? code;
}

/** Nominations named after a sphere (slug or title): the sphere of their practices by default. */
const SPHERE_BY_NOMINATION: [RegExp, string][] = [
	[/production|производ|промышлен/i, 'production'],
	[/education|образован/i, 'education'],
	[/health|здравоохр/i, 'health'],
	[/social|социальн/i, 'social'],
	[/public|муниципальн|государств/i, 'municipal']
];

/** The sphere a nomination implies, or null. */
export function sphereOfNomination(n: { slug: string; title: string }): string | null {
	return SPHERE_BY_NOMINATION.find(([re]) => re.test(n.slug) || re.test(n.title))?.[1] ?? null;
}

/**
 * The sphere of an application's practice: the one the applicant chose on the practice step
 * (`practice.sphere`, a code of this list), else the one its nomination implies, else null.
 */
export function sphereOfEntry(practiceSphere: unknown, nomination: { slug: string; title: string } | undefined): string | null {
	if (typeof practiceSphere === 'string' && SPHERE_CODES.includes(practiceSphere)) return practiceSphere;
	return nomination ? sphereOfNomination(nomination) : null;
}
