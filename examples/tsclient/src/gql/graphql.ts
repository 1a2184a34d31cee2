/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Which end of a relationship an entity is on. */
export type Direction =
  /** Either end. */
  | 'BOTH'
  /** The entity is the relationship's `to`. */
  | 'INCOMING'
  /** The entity is the relationship's `from`. */
  | 'OUTGOING';

/**
 * Selects entities. Every condition given must hold; a list condition holds when any of its
 * values does (except `tagsAll`). `and`, `or` and `not` combine nested filters: "related to both
 * X and Y" is `and: [{reach: {from: "x"}}, {reach: {from: "y"}}]`. The filter's size (each node,
 * each listed value, a text; a reach counts 1 + 3 per hop + 1 per kind) is added to the cost of
 * the field it filters, and refused past the server's filter-size limit.
 */
export type EntityFilter = {
  /** Every one of these filters must hold. */
  and?: Array<EntityFilter> | null | undefined;
  /** Technologies of any of these kinds. */
  kinds?: Array<TechnologyKind> | null | undefined;
  /** Technologies at any of these lifecycle stages. */
  lifecycles?: Array<Lifecycle> | null | undefined;
  /** This filter must not hold. */
  not?: EntityFilter | null | undefined;
  /** At least one of these filters must hold. */
  or?: Array<EntityFilter> | null | undefined;
  /** Entities within a few relationships of one entity. */
  reach?: ReachFilter | null | undefined;
  /** Entities placed in one of these rings of a radar. */
  ring?: RingFilter | null | undefined;
  /** Trends with any of these statuses. */
  statuses?: Array<TrendStatus> | null | undefined;
  /** Entities with every one of these tags. */
  tagsAll?: Array<string> | null | undefined;
  /** Entities with at least one of these tags. */
  tagsAny?: Array<string> | null | undefined;
  /** Entities whose name, aliases, tags or summary hold every word (the last word also as a prefix). */
  text?: string | null | undefined;
  /** Benefits or challenges. */
  tradeoffTypes?: Array<TradeoffType> | null | undefined;
  /** Technologies part of any of these trends, or trends under any of these parents (slugs). */
  trends?: Array<string> | null | undefined;
  /** Technologies offered by any of these organizations (slugs). */
  vendors?: Array<string> | null | undefined;
};

/** Where a technology is in its life. */
export type Lifecycle =
  /** Still in use, but giving way. */
  | 'DECLINING'
  /** New and still taking shape. */
  | 'EMERGING'
  /** Gaining adoption. */
  | 'GROWING'
  /** Established and widely relied on. */
  | 'MATURE';

/**
 * The entities within a few relationships of one entity ("related to X within n hops"), the
 * entity itself left out. It walks the relationship indexes, so it costs the relationships it
 * follows; in the filter size (and the cost) it counts 1, plus 3 for each hop, plus 1 for each
 * kind. A reach passing 50,000 entities is refused: lower `hops` or name `kinds`.
 */
export type ReachFilter = {
  /** Which way to follow relationships at each step, as seen from the entity being left. Default: both. */
  direction?: Direction | null | undefined;
  /** The entity to start from: its slug or its global ID. */
  from: string;
  /** The most relationships between it and a match, 1 to 3. */
  hops?: number;
  /** Only follow relationships of these kinds. Default: all. */
  kinds?: Array<RelationshipKind> | null | undefined;
};

/** The kind of a relationship, read as `from KIND to`. */
export type RelationshipKind =
  /** Addresses or mitigates (a challenge). */
  | 'ADDRESSES'
  /** Can be chosen instead of. */
  | 'ALTERNATIVE_TO'
  /** Extends or runs on top of. */
  | 'BUILDS_ON'
  /** Was originally created by (an organization). */
  | 'CREATED_BY'
  /** Makes possible or easier. */
  | 'ENABLES'
  /** Has this benefit. */
  | 'HAS_BENEFIT'
  /** Has this challenge. */
  | 'HAS_CHALLENGE'
  /** Is an implementation or instance of. */
  | 'IMPLEMENTS'
  /** Works together with. */
  | 'INTEGRATES_WITH'
  /** Is a component or member of. */
  | 'PART_OF'
  /** Is offered by (an organization). */
  | 'PROVIDED_BY'
  /** Needs, depends on. */
  | 'REQUIRES'
  /** Is a standard for. */
  | 'STANDARDIZES'
  /** Is displacing, or evolved from. */
  | 'SUPERSEDES'
  /** Is used for (a use case). */
  | 'USED_FOR'
  /** Is written in (a language). */
  | 'WRITTEN_IN';

/** A ring of a radar, at the radar's latest edition. */
export type RingFilter = {
  /** The radar's slug. */
  radar: string;
  /** Ring slugs; an entity placed in any of them matches. */
  rings: Array<string>;
};

/** What sort of thing a technology is. */
export type TechnologyKind =
  /** An architectural style. */
  | 'ARCHITECTURE'
  /** A managed cloud service. */
  | 'CLOUD_SERVICE'
  /** A database or data store. */
  | 'DATABASE'
  /** An application framework. */
  | 'FRAMEWORK'
  /** A programming language. */
  | 'LANGUAGE'
  /** A library. */
  | 'LIBRARY'
  /** An operating system. */
  | 'OPERATING_SYSTEM'
  /** A design pattern. */
  | 'PATTERN'
  /** A platform others build and run on. */
  | 'PLATFORM'
  /** A practice or discipline. */
  | 'PRACTICE'
  /** A protocol. */
  | 'PROTOCOL'
  /** A runtime that executes programs. */
  | 'RUNTIME'
  /** A stack of technologies used together. */
  | 'STACK'
  /** A standard or specification. */
  | 'STANDARD'
  /** A tool. */
  | 'TOOL'
  /** A web server. */
  | 'WEB_SERVER';

/** Whether a tradeoff is a benefit or a challenge. */
export type TradeoffType =
  /** Something in its favour. */
  | 'BENEFIT'
  /** Something to overcome. */
  | 'CHALLENGE';

/** How far along a trend is. */
export type TrendStatus =
  /** Giving way to other approaches. */
  | 'DECLINING'
  /** Appearing; few adopters yet. */
  | 'EMERGING'
  /** Spreading quickly. */
  | 'GROWING'
  /** A default choice for many. */
  | 'MAINSTREAM';

export type TechnologyProfileQueryVariables = Exact<{
  slug: string;
}>;


export type TechnologyProfileQuery = { technology: { id: string, name: string, kind: TechnologyKind, vendor: { name: string } | null, tradeoffs: { totalCount: number, nodes: Array<{ slug: string, name: string, type: TradeoffType }> }, relationships: { totalCount: number, edges: Array<{ direction: Direction, node: { kind: RelationshipKind, rationale: string | null }, other:
          | { __typename: 'Organization', slug: string, name: string }
          | { __typename: 'Skill', slug: string, name: string }
          | { __typename: 'Technology', slug: string, name: string }
          | { __typename: 'Tradeoff', slug: string, name: string }
          | { __typename: 'Trend', slug: string, name: string }
          | { __typename: 'UseCase', slug: string, name: string }
         }> } } | null };

export type TechnologiesPageQueryVariables = Exact<{
  filter?: EntityFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type TechnologiesPageQuery = { technologies: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ slug: string, name: string, kind: TechnologyKind }> } };

export type SearchQueryVariables = Exact<{
  query: string;
  first?: number | null | undefined;
}>;


export type SearchQuery = { search: { totalCount: number, edges: Array<{ score: number, node:
        | { __typename: 'Organization', slug: string, name: string }
        | { __typename: 'Skill', slug: string, name: string }
        | { __typename: 'Technology', slug: string, name: string }
        | { __typename: 'Tradeoff', slug: string, name: string }
        | { __typename: 'Trend', slug: string, name: string }
        | { __typename: 'UseCase', slug: string, name: string }
       }> } };


export const TechnologyProfileDocument = {"__meta__":{"hash":"sha256:22c168c1d2987c35af1cc9eecfe2a124bc333e2dd07c040919faf25013fc703b"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TechnologyProfile"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"slug"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"technology"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"slug"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"vendor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"tradeoffs"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"type"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"relationships"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"direction"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"rationale"}}]}},{"kind":"Field","name":{"kind":"Name","value":"other"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<TechnologyProfileQuery, TechnologyProfileQueryVariables>;
export const TechnologiesPageDocument = {"__meta__":{"hash":"sha256:09aca33c759aaec4f8bc0ef96db629416b5ba264285cb460a002181087ed837d"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TechnologiesPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"EntityFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"technologies"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}}]}}]}}]}}]} as unknown as DocumentNode<TechnologiesPageQuery, TechnologiesPageQueryVariables>;
export const SearchDocument = {"__meta__":{"hash":"sha256:b7600fd3586224a96c66955fff9aad17ba2bccd29f7245c796ab73bae04310a5"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Search"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"query"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"search"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"query"},"value":{"kind":"Variable","name":{"kind":"Name","value":"query"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"score"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]} as unknown as DocumentNode<SearchQuery, SearchQueryVariables>;