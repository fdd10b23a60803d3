/**
 * The relevance test set: Russian queries over the fixed corpus of corpus.ts, each with the
 * practices a reader expects at the top (2 — what the query is about; 1 — relevant: the topic is
 * in the title, summary or tags the reader sees on the card). Judged by reading the texts of the
 * corpus (the demo practices in full, the generated ones by title, summary and tags), never by
 * running the search. Queries are typed as in the search box: without a trailing space, so the
 * last word is also a prefix.
 */
import type { Judgments } from './metrics';

export type QueryKind = 'form' | 'multi' | 'tag' | 'place' | 'synonym' | 'typo' | 'prefix';

export interface RelevanceQuery {
	q: string;
	kind: QueryKind;
	expect: Judgments;
	/** What the judgment rests on. */
	note?: string;
}

/** Adaptation of newcomers: D0 and D23 are about it, the rest name it in the summary or tags. */
const ADAPTATION: Judgments = {
	D0: 2, D23: 2, D3: 1, D26: 1, D21: 1,
	G36: 1, G6: 1, G55: 1, G11: 1, G24: 1, G32: 1, G25: 1, G57: 1, G2: 1, G26: 1, G37: 1, G47: 1
};

/**
 * The mentor as a person: titles naming «наставник(и)» are what a reader of «ментор» or
 * «наставнек» wants first; titles about «наставничество» and the generated practices with a
 * mentor in the title are relevant.
 */
const MENTOR: Judgments = {
	D4: 2, D6: 2, D7: 2, D15: 2, D16: 2, D17: 2, D19: 2, D20: 2, D22: 2, D27: 2, D28: 2, D31: 2, D32: 2, D34: 2, D35: 2, D37: 2, D39: 2,
	D5: 1, D10: 1, D11: 1, D12: 1, D13: 1, D18: 1, D21: 1, D23: 1, D24: 1, D25: 1, D26: 1, D29: 1, D30: 1, D33: 1, D36: 1, D38: 1,
	G2: 1, G3: 1, G6: 1, G7: 1, G10: 1, G14: 1, G17: 1, G18: 1, G23: 1, G31: 1, G36: 1, G56: 1, G57: 1
};

/** Young specialists and their adaptation. */
const YOUNG_ADAPTATION: Judgments = { D26: 2, D2: 2, D24: 2, D9: 1, D33: 1, D3: 1, D0: 1, D23: 1, G57: 1, G32: 1 };

const TURNOVER: Judgments = { D0: 2, D5: 1, D6: 1, D23: 1, D36: 1, G12: 1, G42: 1 };

export const RELEVANCE_QUERIES: RelevanceQuery[] = [
	// Word forms
	{ q: 'адаптации', kind: 'form', expect: ADAPTATION },
	{ q: 'кадрового резерва', kind: 'form', expect: { D4: 2, G10: 1, G31: 1, D1: 1, D8: 1, G7: 1, G8: 1, G29: 1, G32: 1, G39: 1 } },
	{ q: 'молодых педагогов', kind: 'form', expect: { D22: 2, D30: 2, D2: 1, D25: 1, G3: 1, G20: 1, G0: 1 } },
	{
		q: 'водителей',
		kind: 'form',
		expect: { D6: 2, D12: 2, D36: 1, G0: 1, G7: 1, G58: 1, G38: 1, G50: 1, G10: 1, G6: 1, G12: 1, G43: 1, G59: 1, G2: 1, G4: 1, G28: 1, G34: 1, G46: 1, G26: 1 }
	},
	{ q: 'инвестиции', kind: 'form', expect: { D16: 2, G41: 1, G54: 1 }, note: 'D16 — предпринимательство с тегом «инвестиции»; G41, G54 — сфера «Инвестиции и предпринимательство»' },
	{
		q: 'больницы',
		kind: 'form',
		expect: { D3: 2, D9: 2, D18: 2, D23: 2, D26: 2, G3: 1, G9: 1, G11: 1, G14: 1, G16: 1, G21: 1, G23: 1, G24: 1, G26: 1, G32: 1, G33: 1, G35: 1, G42: 1, G45: 1, G47: 1, G49: 1, G51: 1, G53: 1, G55: 1, G56: 1, G57: 1, G2: 1, G4: 1, G19: 1, G22: 1, G36: 1, G37: 1 },
		note: 'больницы демо-практик; сгенерированные — больница в кратком описании или в организации'
	},

	// Several words
	{ q: 'текучесть кадров', kind: 'multi', expect: TURNOVER },
	{ q: 'адаптация молодых специалистов', kind: 'multi', expect: YOUNG_ADAPTATION },
	{ q: 'обратное наставничество', kind: 'multi', expect: { D14: 2, D30: 1, G9: 1, G13: 1, G35: 1, G10: 1, G17: 1, G45: 1 } },
	{ q: 'сельские школы', kind: 'multi', expect: { D2: 2, D25: 2, G1: 1, G26: 1, G30: 1, G38: 1, G40: 1, G56: 1, G0: 1, G16: 1, G57: 1 } },
	{ q: 'водители трамвая', kind: 'multi', expect: { D12: 2, G58: 1, G26: 1, G15: 1, G27: 1 } },
	{ q: 'раздельный сбор отходов', kind: 'multi', expect: { D7: 2, D36: 1, G18: 1, G28: 1, G50: 1, G40: 1 } },
	{ q: 'бережливое производство', kind: 'multi', expect: { D1: 2, D35: 2 } },
	{ q: 'симуляционное обучение', kind: 'multi', expect: { D3: 2, D9: 2, D21: 1, G1: 1, G7: 1, G9: 1, G14: 1, G24: 1, G33: 1, G44: 1, G53: 1 } },
	{ q: 'молодые врачи', kind: 'multi', expect: { D9: 2, D18: 2, D26: 2, G19: 1, G22: 1, G45: 1 } },
	{ q: 'охрана труда', kind: 'multi', expect: { D13: 2, D36: 2, G3: 1, G31: 1, G33: 1 } },
	{ q: 'электронный документооборот', kind: 'multi', expect: { D14: 2, D0: 1, G39: 1, G40: 1, G35: 1 } },
	{ q: 'профилактика выгорания', kind: 'multi', expect: { D10: 2, G35: 1 } },
	{ q: 'приёмные семьи', kind: 'multi', expect: { D19: 2, G36: 1, G52: 1 } },
	{ q: 'спортивные школы', kind: 'multi', expect: { D29: 2, D38: 2, G13: 1, G20: 1, G43: 1, G52: 1, G23: 1 } },
	{ q: 'текучесть кадров в первый год', kind: 'multi', expect: TURNOVER },

	// Tags
	{ q: 'чек-лист', kind: 'tag', expect: { D0: 2, D5: 1 } },
	{ q: 'цифровизация', kind: 'tag', expect: { D14: 2, D20: 2, G35: 1, G42: 1, G58: 1 } },
	{ q: 'тренажёр', kind: 'tag', expect: { D5: 2, D20: 2, D18: 2, G12: 1, G11: 1, G15: 1, G27: 1, G32: 1, G37: 1, G58: 1 } },
	{ q: 'ТКО', kind: 'tag', expect: { D7: 2, D36: 1, G5: 1 } },
	{ q: 'телеметрия', kind: 'tag', expect: { D6: 2, G21: 1, G10: 1, G28: 1, G34: 1, G38: 1, G46: 1, G50: 1 } },
	{ q: 'молодёжная политика', kind: 'tag', expect: { D8: 2, D34: 2, G24: 1, G53: 1, G55: 1 } },

	// Places
	{ q: 'Казань', kind: 'place', expect: { D0: 2, G25: 1, G57: 1, G6: 1, G36: 1, G55: 1 } },
	{ q: 'Новосибирск', kind: 'place', expect: { D4: 2, G12: 1, G16: 1, G7: 1, G8: 1, G39: 1 } },
	{ q: 'Татарстан', kind: 'place', expect: { D0: 2, G32: 1 } },
	{ q: 'Якутия', kind: 'place', expect: { D25: 2, G9: 1, G26: 1, G30: 1 } },
	{ q: 'Пермь', kind: 'place', expect: { D7: 2, G18: 1, G28: 1, G50: 1, G40: 1, G58: 1, G59: 1 } },
	{ q: 'Кузбасс', kind: 'place', expect: { D13: 2, G2: 1, G22: 1 } },

	// Synonyms
	{ q: 'ментор', kind: 'synonym', expect: MENTOR },
	{ q: 'онбординг', kind: 'synonym', expect: ADAPTATION },
	{ q: 'педагог', kind: 'synonym', expect: { D2: 2, D22: 2, D25: 2, D30: 2, D21: 1, G3: 1, G26: 1, G30: 1, G1: 1, G38: 1, G20: 1, G0: 1, G16: 1, G31: 1, G57: 1, G18: 1 } },
	{ q: 'предприятие', kind: 'synonym', expect: { D1: 2, D11: 2, D20: 2, D31: 2, D33: 2, D35: 2, D15: 2, D27: 1, D5: 1, G1: 1, G3: 1, G4: 1, G5: 1, G6: 1, G8: 1, G9: 1, G11: 1, G13: 1, G15: 1, G19: 1, G25: 1, G27: 1, G32: 1, G33: 1, G36: 1, G37: 1, G38: 1, G39: 1, G44: 1, G47: 1, G49: 1, G50: 1, G52: 1, G56: 1, G57: 1, G58: 1, G59: 1 } },
	{ q: 'медики', kind: 'synonym', expect: { D9: 2, D18: 2, D26: 2, D3: 1, D23: 1, D21: 1 } },
	{ q: 'добровольцы', kind: 'synonym', expect: { D7: 2, G18: 1, G28: 1, G50: 1, G40: 1 } },
	{ q: 'мусор', kind: 'synonym', expect: { D7: 2, D36: 2, G33: 1, G2: 1, G4: 1, G12: 1, G40: 1, G16: 1 } },

	// Typos
	{ q: 'наставнек', kind: 'typo', expect: MENTOR },
	{ q: 'адоптация', kind: 'typo', expect: ADAPTATION },
	{ q: 'мусоросортировочный коплекс', kind: 'typo', expect: { D36: 2, G33: 1 } },
	{ q: 'реаниматалог', kind: 'typo', expect: { D9: 2, G8: 1, G9: 1, G14: 1, G24: 1, G33: 1, G53: 1 } },
	{ q: 'экскурсавод', kind: 'typo', expect: { D37: 2, G5: 1, G41: 1, G46: 1, G20: 1, G28: 1, G51: 1, G54: 1 } },
	{ q: 'текучесть кадрв', kind: 'typo', expect: TURNOVER },

	// Prefixes (typing)
	{ q: 'благоустр', kind: 'prefix', expect: { D17: 2, G49: 1, G41: 1, G54: 1 } },
	{ q: 'диспетч', kind: 'prefix', expect: { D5: 2, G50: 1, G15: 1, G48: 1 } },
	{ q: 'хирур', kind: 'prefix', expect: { D18: 2, G44: 1, G45: 1, G4: 1, G21: 1, G23: 1, G26: 1, G49: 1 } },
	{ q: 'эколо', kind: 'prefix', expect: { D7: 2, G18: 1, G28: 1, G50: 1, G40: 1 } },
	{ q: 'адаптация молод', kind: 'prefix', expect: YOUNG_ADAPTATION }
];
