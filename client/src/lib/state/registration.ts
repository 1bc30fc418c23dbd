/** The registration in progress, kept across the form and the codes page. */
import { RegistrationState } from './RegistrationState.svelte';
import { session } from './SessionState.svelte';

export const registration = new RegistrationState(session);
