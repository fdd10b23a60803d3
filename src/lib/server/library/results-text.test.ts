import { describe, expect, it } from 'vitest';
import { parseResultSentence, resultsFromText } from './results-text';

describe('results of an application as table rows', () => {
	it('reads «показатель … с было до стало (период, источник)»', () => {
		expect(parseResultSentence('Текучесть в первый год снизилась с 28% до 7% (2021–2024, данные отдела кадров).')).toEqual({
			indicator: 'Текучесть в первый год',
			baseline: 28,
			value: 7,
			unit: '%',
			period: '2021–2024',
			source: 'данные отдела кадров'
		});
		expect(parseResultSentence('Срок адаптации сократился с 4,5 до 2 месяцев')).toEqual({ indicator: 'Срок адаптации', baseline: 4.5, value: 2, unit: 'месяцев', period: '', source: '' });
		expect(parseResultSentence('Число наставников выросло с 12 до 1 200 человек (за 2023 год)')).toMatchObject({ indicator: 'Число наставников', baseline: 12, value: 1200, unit: 'человек', period: '2023 год' });
		expect(parseResultSentence('Остались все пять молодых учителей')).toBeNull();
	});

	it('keeps what it cannot read, sentence by sentence, and no more rows than the table holds', () => {
		const r = resultsFromText('Текучесть снизилась с 30% до 8% за 2021–2024 годы. Все выпускники остались в школе.\n- Жалобы: с 10 до 2 в год', 6);
		expect(r.rows.map((x) => [x.indicator, x.baseline, x.value])).toEqual([
			['Текучесть', 30, 8],
			['Жалобы', 10, 2]
		]);
		expect(r.rows[0].period).toBe('2021–2024 годы');
		expect(r.rest).toEqual(['Все выпускники остались в школе.']);
		expect(resultsFromText('Отказы с 1 до 2. Жалобы с 3 до 4.', 1).rest).toEqual(['Жалобы с 3 до 4.']);
	});
});
