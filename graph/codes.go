package graph

import "github.com/99designs/gqlgen/graphql/errcode"

// The extensions.code values the API emits, graph's and server's alike. Clients branch on
// them, so they are part of the API: never rename one. The README lists them all.
const (
	// CodeNotFound: an ID or slug names nothing.
	CodeNotFound = "NOT_FOUND"
	// CodeBadUserInput: an argument is out of its bounds or malformed.
	CodeBadUserInput = "BAD_USER_INPUT"
	// CodeInternal: anything not meant for the caller, logged and never detailed.
	CodeInternal = "INTERNAL_SERVER_ERROR"
	// CodeTimeout: the request was cancelled or ran past its time limit.
	CodeTimeout = "TIMEOUT"
	// CodeUnauthenticated: no valid bearer token where one is required (a mutation,
	// RequireAuth, or /metrics behind its token).
	CodeUnauthenticated = "UNAUTHENTICATED"
	// CodeRateLimited: the client is past its rate.
	CodeRateLimited = "RATE_LIMITED"

	// CodeBadRequest: the request's parameters are not one JSON object spelt exactly, or its
	// document identifiers disagree.
	CodeBadRequest = "BAD_REQUEST"
	// CodeNotAcceptable: the Accept header allows none of the response types.
	CodeNotAcceptable = "NOT_ACCEPTABLE"
	// CodeUnsupportedMediaType: a POST body that is not UTF-8 application/json.
	CodeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
	// CodeBodyTooLarge: a request body past Limits.MaxBodyBytes.
	CodeBodyTooLarge = "BODY_TOO_LARGE"
	// CodeMethodNotAllowed: a method GraphQL over HTTP does not use, or a mutation over GET.
	CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"

	// CodePersistedQueryNotFound: a documentId or hash names no document known here. Apollo's
	// clients read it to resend the text.
	CodePersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"
	// CodePersistedQueryNotSupported: a hash without text while automatic persisted queries
	// are off.
	CodePersistedQueryNotSupported = "PERSISTED_QUERY_NOT_SUPPORTED"
	// CodeTrustedDocumentRequired: a document outside the manifest under TrustedOnly.
	CodeTrustedDocumentRequired = "TRUSTED_DOCUMENT_REQUIRED"

	// CodeParseFailed: a document that does not parse. gqlgen emits it; it is gqlgen's
	// constant, named here so that the API's codes are in one list.
	CodeParseFailed = errcode.ParseFailed
	// CodeValidationFailed: a document the schema does not allow, including __schema and
	// __type while introspection is off. gqlgen's constant, as CodeParseFailed.
	CodeValidationFailed = errcode.ValidationFailed
)

// Codes of requests refused by a limit, one per limit (Limits is the server's configuration).
// Their errors also carry extensions limit, max and actual, except BATCH_LIMIT_EXCEEDED, which
// refuses a body before it is read as GraphQL and says the limit in its message only.
const (
	// CodeDepthLimit: fields nested past Limits.MaxDepth.
	CodeDepthLimit = "DEPTH_LIMIT_EXCEEDED"
	// CodeAliasLimit: more aliased fields than Limits.MaxAliases.
	CodeAliasLimit = "ALIAS_LIMIT_EXCEEDED"
	// CodeFieldRepeatLimit: one response key repeated past Limits.MaxFieldRepeats.
	CodeFieldRepeatLimit = "FIELD_REPEAT_LIMIT_EXCEEDED"
	// CodeDirectiveLimit: more directives than Limits.MaxDirectives.
	CodeDirectiveLimit = "DIRECTIVE_LIMIT_EXCEEDED"
	// CodeTokenLimit: a document of more lexical tokens than Limits.MaxTokens.
	CodeTokenLimit = "TOKEN_LIMIT_EXCEEDED"
	// CodeCostLimit: an operation (or a batch's operations together) costing more than
	// Limits.MaxCost.
	CodeCostLimit = "COST_LIMIT_EXCEEDED"
	// CodeBatchLimit: a batch of more operations than Limits.MaxBatch.
	CodeBatchLimit = "BATCH_LIMIT_EXCEEDED"
	// CodeFilterSizeLimit: a filter argument past the filter-size limit, from the server's
	// check before execution or from the resolvers' own.
	CodeFilterSizeLimit = "FILTER_SIZE_LIMIT_EXCEEDED"
	// CodeIntrospectionLimit: more __schema and __type fields than
	// Limits.MaxIntrospectionFields.
	CodeIntrospectionLimit = "INTROSPECTION_LIMIT_EXCEEDED"
)
