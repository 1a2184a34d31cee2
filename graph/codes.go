package graph

import "github.com/99designs/gqlgen/graphql/errcode"

// The extensions.code values the API emits, graph's and server's alike. Clients branch on
// them, so they are part of the API: never rename one. The README lists them all.
const (
	// CodeNotFound answers an ID or slug that names nothing.
	CodeNotFound = "NOT_FOUND"
	// CodeBadUserInput refuses an argument or variable that is malformed or out of its bounds.
	CodeBadUserInput = "BAD_USER_INPUT"
	// CodeInternal stands for anything not meant for the caller, logged and never detailed.
	CodeInternal = "INTERNAL_SERVER_ERROR"
	// CodeConflict refuses a change based on a revision that is no longer current (with
	// extensions.currentRevision), or a create of a record that exists.
	CodeConflict = "CONFLICT"
	// CodeForbidden refuses an operation the caller's token has no scope for.
	CodeForbidden = "FORBIDDEN"
	// CodeReadOnly refuses a change on a server that serves its database read-only.
	CodeReadOnly = "READ_ONLY"
	// CodeVersionNotReached answers a request naming X-Trendgraph-Min-Version that this server
	// (a replica behind its cluster) did not reach in time: retry, or ask another replica.
	CodeVersionNotReached = "VERSION_NOT_REACHED"
	// CodeSubscriberTooSlow ends a subscription whose client fell a whole buffer behind.
	CodeSubscriberTooSlow = "SUBSCRIBER_TOO_SLOW"
	// CodeTooManySubscribers refuses a subscription past the server's bound.
	CodeTooManySubscribers = "TOO_MANY_SUBSCRIBERS"
	// CodeTimeout answers a request cancelled or run past its time limit.
	CodeTimeout = "TIMEOUT"
	// CodeUnauthenticated refuses a request without a valid bearer token where one is required
	// (a mutation, RequireAuth, or /metrics behind its token).
	CodeUnauthenticated = "UNAUTHENTICATED"
	// CodeRateLimited refuses a client past its rate.
	CodeRateLimited = "RATE_LIMITED"

	// CodeBadRequest refuses request parameters that are not one JSON object spelt exactly, or
	// document identifiers that disagree.
	CodeBadRequest = "BAD_REQUEST"
	// CodeNotAcceptable refuses an Accept header that allows none of the response types.
	CodeNotAcceptable = "NOT_ACCEPTABLE"
	// CodeUnsupportedMediaType refuses a POST body that is not UTF-8 application/json.
	CodeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
	// CodeBodyTooLarge refuses a request body past the server's MaxBodyBytes.
	CodeBodyTooLarge = "BODY_TOO_LARGE"
	// CodeMethodNotAllowed refuses a method GraphQL over HTTP does not use, or an operation other
	// than a query sent with GET or run by the MCP server's read-only graphql tool.
	CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"

	// CodePersistedQueryNotFound answers a documentId or hash that names no document known here.
	// Apollo's clients read it to resend the text.
	CodePersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"
	// CodePersistedQueryNotSupported answers a hash without text while automatic persisted
	// queries are off.
	CodePersistedQueryNotSupported = "PERSISTED_QUERY_NOT_SUPPORTED"
	// CodeTrustedDocumentRequired refuses a document outside the manifest under TrustedOnly.
	CodeTrustedDocumentRequired = "TRUSTED_DOCUMENT_REQUIRED"

	// CodeParseFailed refuses a document that does not parse. gqlgen emits it; it is gqlgen's
	// constant, named here so that the API's codes are in one list.
	CodeParseFailed = errcode.ParseFailed
	// CodeValidationFailed refuses a document the schema does not allow, and __schema and __type
	// while introspection is off. gqlgen's constant, as CodeParseFailed is.
	CodeValidationFailed = errcode.ValidationFailed
)

// Codes of requests refused by a limit, one per limit (Limits is the server's configuration).
// Their errors also carry extensions limit, max and actual, except BATCH_LIMIT_EXCEEDED, which
// refuses a body before it is read as GraphQL and says the limit in its message only.
const (
	// CodeDepthLimit refuses fields nested past Limits.MaxDepth.
	CodeDepthLimit = "DEPTH_LIMIT_EXCEEDED"
	// CodeAliasLimit refuses more aliased fields than Limits.MaxAliases.
	CodeAliasLimit = "ALIAS_LIMIT_EXCEEDED"
	// CodeFieldRepeatLimit refuses one response key repeated past Limits.MaxFieldRepeats.
	CodeFieldRepeatLimit = "FIELD_REPEAT_LIMIT_EXCEEDED"
	// CodeDirectiveLimit refuses more directives than Limits.MaxDirectives.
	CodeDirectiveLimit = "DIRECTIVE_LIMIT_EXCEEDED"
	// CodeTokenLimit refuses a document of more lexical tokens than Limits.MaxTokens.
	CodeTokenLimit = "TOKEN_LIMIT_EXCEEDED"
	// CodeCostLimit refuses an operation (or a batch's operations together) costing more than
	// Limits.MaxCost.
	CodeCostLimit = "COST_LIMIT_EXCEEDED"
	// CodeBatchLimit refuses a batch of more operations than Limits.MaxBatch.
	CodeBatchLimit = "BATCH_LIMIT_EXCEEDED"
	// CodeFilterSizeLimit refuses a filter argument past Limits.MaxFilterSize, in the server's
	// check before execution or in the resolvers' own.
	CodeFilterSizeLimit = "FILTER_SIZE_LIMIT_EXCEEDED"
	// CodeIntrospectionLimit refuses more __schema and __type fields than
	// Limits.MaxIntrospectionFields.
	CodeIntrospectionLimit = "INTROSPECTION_LIMIT_EXCEEDED"
)
