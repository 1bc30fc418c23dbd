/**
 * The access code given at submission (PRODUCT.md §2, the public status
 * lookup): 8 characters of an alphabet without the look-alikes I and O, 0 and 1,
 * so that a code read aloud or copied from paper is typed right.
 */
export const ACCESS_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const ACCESS_CODE_LENGTH = 8;

/** The Latin capitals and digits the alphabet leaves out. */
export const ACCESS_CODE_EXCLUDED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('').filter((c) => !ACCESS_CODE_ALPHABET.includes(c));
