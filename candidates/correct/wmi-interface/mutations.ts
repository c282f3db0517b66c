/** The copied reference code paths take a bug switch; this provider switches none on. */
export type Mutation = string;
