import type { ActionResult, SubmitFunction } from '@sveltejs/kit';

/**
 * The «request in flight» flag of a form enhanced with `use:enhance`: `on` from the submit until
 * SvelteKit has applied the result (the page disables its button and says «Сохраняем…» meanwhile).
 *
 *     const saving = new Pending();
 *     <form use:enhance={saving.enhance({ reset: false })}> … <button disabled={saving.on}>
 *
 * `reset` is passed to `update` (SvelteKit clears a successfully submitted form unless told not
 * to); `after` runs once the result is applied, before the flag drops.
 */
export class Pending {
	on = $state(false);

	enhance(opts: { reset?: boolean; after?: (result: ActionResult) => void } = {}): SubmitFunction {
		return () => {
			this.on = true;
			return async ({ update, result }) => {
				try {
					await update({ reset: opts.reset ?? true });
					opts.after?.(result);
				} finally {
					this.on = false;
				}
			};
		};
	}
}
