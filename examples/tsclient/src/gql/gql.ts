/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query TechnologyProfile($slug: String!) {\n    technology(slug: $slug) {\n      id\n      name\n      kind\n      vendor { name }\n      tradeoffs(first: 20) { totalCount nodes { slug name type } }\n      relationships(first: 50) {\n        totalCount\n        edges { direction node { kind rationale } other { __typename slug name } }\n      }\n    }\n  }\n": typeof types.TechnologyProfileDocument,
    "\n  query TechnologiesPage($filter: EntityFilter, $first: Int, $after: String) {\n    technologies(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { slug name kind }\n    }\n  }\n": typeof types.TechnologiesPageDocument,
    "\n  query Search($query: String!, $first: Int) {\n    search(query: $query, first: $first) {\n      totalCount\n      edges { score node { __typename slug name } }\n    }\n  }\n": typeof types.SearchDocument,
};
const documents: Documents = {
    "\n  query TechnologyProfile($slug: String!) {\n    technology(slug: $slug) {\n      id\n      name\n      kind\n      vendor { name }\n      tradeoffs(first: 20) { totalCount nodes { slug name type } }\n      relationships(first: 50) {\n        totalCount\n        edges { direction node { kind rationale } other { __typename slug name } }\n      }\n    }\n  }\n": types.TechnologyProfileDocument,
    "\n  query TechnologiesPage($filter: EntityFilter, $first: Int, $after: String) {\n    technologies(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { slug name kind }\n    }\n  }\n": types.TechnologiesPageDocument,
    "\n  query Search($query: String!, $first: Int) {\n    search(query: $query, first: $first) {\n      totalCount\n      edges { score node { __typename slug name } }\n    }\n  }\n": types.SearchDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TechnologyProfile($slug: String!) {\n    technology(slug: $slug) {\n      id\n      name\n      kind\n      vendor { name }\n      tradeoffs(first: 20) { totalCount nodes { slug name type } }\n      relationships(first: 50) {\n        totalCount\n        edges { direction node { kind rationale } other { __typename slug name } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query TechnologyProfile($slug: String!) {\n    technology(slug: $slug) {\n      id\n      name\n      kind\n      vendor { name }\n      tradeoffs(first: 20) { totalCount nodes { slug name type } }\n      relationships(first: 50) {\n        totalCount\n        edges { direction node { kind rationale } other { __typename slug name } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TechnologiesPage($filter: EntityFilter, $first: Int, $after: String) {\n    technologies(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { slug name kind }\n    }\n  }\n"): (typeof documents)["\n  query TechnologiesPage($filter: EntityFilter, $first: Int, $after: String) {\n    technologies(filter: $filter, first: $first, after: $after) {\n      totalCount\n      pageInfo { hasNextPage endCursor }\n      nodes { slug name kind }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Search($query: String!, $first: Int) {\n    search(query: $query, first: $first) {\n      totalCount\n      edges { score node { __typename slug name } }\n    }\n  }\n"): (typeof documents)["\n  query Search($query: String!, $first: Int) {\n    search(query: $query, first: $first) {\n      totalCount\n      edges { score node { __typename slug name } }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;