import type { LayoutServerLoad } from './$types';
import { db } from '$lib/server/db/client';
import { orPage } from '$lib/server/http/page';
import { roundHeader } from '$lib/server/results/console';

/** The round of every page of its results console, resolved once (404 for an unknown round). */
export const load: LayoutServerLoad = async ({ parent, params }) => {
	await parent();
	return { header: orPage(() => roundHeader(db(), params.roundId)) };
};
