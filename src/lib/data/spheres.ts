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
