/** The organizer's contest form as a browser posts it (/admin/contests/new, …/edit): a valid contest. */
export function contestForm(overrides: Record<string, string> = {}): Record<string, string> {
	return {
		title: 'Наставничество-2032',
		slug: 'nastavnichestvo-2032',
		year: '2032',
		rules: 'Положение о конкурсе.',
		openAt: '2026-01-10T10:00',
		closeAt: '2032-03-31T23:59',
		reviewEndAt: '2032-05-01T00:00',
		resultsAt: '2032-06-01T12:00',
		numberPrefix: 'НС',
		videoMaxSize: '1',
		videoMaxSizeUnit: 'GB',
		videoMaxDuration: '3',
		videoMaxDurationUnit: 'min',
		format_mp4: 'on',
		letterMaxMb: '10',
		letterMaxChars: '5000',
		uploadGraceMinutes: '30',
		jurorsPerEntry: '3',
		sameRegionConflict: 'on',
		...overrides
	};
}
