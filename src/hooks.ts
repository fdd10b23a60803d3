import type { Transport } from '@sveltejs/kit';
import { ServerRendered } from '$lib/server-rendered';

export const transport: Transport = {
	// Server-only page data is not serialized (src/lib/server-rendered.ts).
	ServerRendered: {
		encode: (v) => v instanceof ServerRendered && 1,
		decode: () => null
	}
};
