// A small typed client: documents from graphql-codegen carry their result and variable types,
// and, with persisted documents, the sha256 of their normalized text, which a server in
// trusted-documents mode knows them by.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createHash } from 'node:crypto';
import { print } from 'graphql';

export class GraphQLError extends Error {
  constructor(readonly errors: Array<{ message: string; extensions?: { code?: string } }>) {
    super(errors.map((e) => e.message).join('; '));
  }
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

/**
 * How a document travels: its text; automatic persisted queries (the hash first, the text only
 * when the server does not know it yet); or the persisted-document ID alone.
 */
export type Mode = 'query' | 'apq' | 'document-id';

type Response<R> = { data?: R; errors?: GraphQLError['errors'] };

async function post<R>(url: string, body: unknown): Promise<{ status: number; json: Response<R> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Response<R> };
}

export async function execute<R, V>(url: string, doc: TypedDocumentNode<R, V>, variables: V, mode: Mode = 'query'): Promise<R> {
  const query = print(doc);
  let res: { status: number; json: Response<R> };
  if (mode === 'document-id') {
    const id = (doc as { __meta__?: { hash?: string } }).__meta__?.hash;
    if (!id) throw new Error('the document has no persisted-document hash');
    // The hash is the document ID as the manifest writes it: "sha256:<hex>".
    res = await post<R>(url, { variables, extensions: { documentId: id } });
  } else if (mode === 'apq') {
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
    res = await post<R>(url, { variables, extensions: { persistedQuery } });
    if (res.json.errors?.some((e) => e.message === 'PersistedQueryNotFound')) {
      res = await post<R>(url, { query, variables, extensions: { persistedQuery } });
    }
  } else {
    res = await post<R>(url, { query, variables });
  }
  if (res.json.errors?.length) throw new GraphQLError(res.json.errors);
  if (!res.json.data) throw new Error(`no data (HTTP ${res.status})`);
  return res.json.data;
}
