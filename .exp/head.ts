/**
 * The public search of the library over the in-memory index (library-index.ts): Russian
 * morphology (Snowball stems, synonyms), the last word as a prefix while typing, a typo-tolerant
 * fallback over the trigram index of the vocabulary when nothing is found, BM25F ranking,
 * facets with counts (each facet counted with every other filter applied), sorting, pagination
 * and highlighted snippets.
 *
 * Ranking (sort «по релевантности») is BM25F over the fields title, summary, tags, place and
 * body: a query word's weight is its idf among the published practices; in a practice, each field
 * it occurs in adds the field's weight (title 5 > summary 3 > tags 2.5 > place 2 > body 1),
 * normalized by the field's length against the average, and the sum saturates (k1). The stored
 * term lists keep which fields a stem occurs in, not how often, so a field counts once. A query
 * word's forms are alternatives: the stem as typed counts fully, a synonym at 0.6, another word
 * completing the last word being typed at 0.8 (the best alternative of each practice counts). Every
 * query word must occur (AND); the scores of the words add up.
 *
 * Filters and facet counts are bitset operations on the postings of the facet values; when the
 * matching set is so small that counting it practice by practice is cheaper, it is counted so.
 */
import { inArray } from 'drizzle-orm';
import type { DB } from '../db/client';
import { practices, type Practice, type PracticeResult } from '../db/schema';
import { FEDERAL_DISTRICTS, regionByCode, districtOf } from '../../data/regions';
import { SPHERE_TITLE } from '../../schemas/library';
import { DISTRICT_CODES, FACET_KEYS, type FacetKey, type SearchParams, type Sort } from '../../schemas/library-search';
import { FIELDS } from './search-index';
import { libraryIndex, SINGLE, stemDf, stemsWithPrefix, type LibraryIndex } from './library-index';
import { countAnd, forEachBit, hasBit, popcount32 } from './bits';
import {
	editDistance,
	highlight,
	matcherOf,
	NO_MATCH,
	normalize,
	parseQuery,
	snippet,
	stem,
	synonymsOf,
	trigramExpression,
	typoBudget,
	type ParsedQuery,
	type Segment
} from './text';
import { logFor } from '../ops/log';

/** BM25F: field weights and length normalization (in the order of FIELDS), saturation. */
export const FIELD_WEIGHTS: Record<(typeof FIELDS)[number], number> = { title: 5, summary: 3, body: 1, tags: 2.5, place: 2 };
export const FIELD_B: Record<(typeof FIELDS)[number], number> = { title: 0.5, summary: 0.75, body: 0.75, tags: 0.3, place: 0.3 };
export const K1 = 1.2;
/** How much an alternative of a query word counts against the word itself. */
export const SYNONYM_FACTOR = 0.6;
export const COMPLETION_FACTOR = 0.8;
/** Completions of the last word that are scored (the most frequent ones); the rest only match. */
const SCORED_COMPLETIONS = 24;
const W = FIELDS.map((f) => FIELD_WEIGHTS[f]);
const B = FIELDS.map((f) => FIELD_B[f]);
const NF = FIELDS.length;
