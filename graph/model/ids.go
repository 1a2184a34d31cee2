package model

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"github.com/trendgraph/trendgraph/domain"
	"github.com/trendgraph/trendgraph/store"
)

// Global IDs are base64url("Type:key"): opaque to clients, yet a client that decodes one sees
// what it names. The key is the store's hex ID for entities and relationships, and the slug for
// sources and radars.

// ErrBadID is returned for a string that is not a global ID this API produced.
var ErrBadID = errors.New("not a valid global ID")

// GlobalID encodes a type name and key.
func GlobalID(typeName, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typeName + ":" + key))
}

// EntityGlobalID is the global ID of a stored entity.
func EntityGlobalID(e *store.Entity) string {
	return GlobalID(TypeName(e.Type), strconv.FormatUint(uint64(e.ID), 16))
}

// RelationshipGlobalID is the global ID of a stored relationship.
func RelationshipGlobalID(id store.ID) string {
	return GlobalID("Relationship", strconv.FormatUint(uint64(id), 16))
}

// ParseGlobalID decodes a global ID into its type name and key.
func ParseGlobalID(id string) (typeName, key string, err error) {
	if len(id) > 200 {
		return "", "", ErrBadID
	}
	// One ID has one spelling: the decoder would skip newlines and stray trailing bits, so an ID
	// must be exactly the encoding of what it decodes to, and IDs compare as strings.
	b, err := base64.RawURLEncoding.Strict().DecodeString(id)
	if err != nil || base64.RawURLEncoding.EncodeToString(b) != id {
		return "", "", ErrBadID
	}
	typeName, key, ok := strings.Cut(string(b), ":")
	if !ok || key == "" {
		return "", "", ErrBadID
	}
	switch {
	case IsEntityType(typeName) || typeName == "Relationship":
		// One spelling: lower-case hex without leading zeros, as EntityGlobalID writes it.
		if v, err := strconv.ParseUint(key, 16, 64); err != nil || strconv.FormatUint(v, 16) != key {
			return "", "", ErrBadID
		}
	case typeName == "Source" || typeName == "Radar":
	case typeName == "ChangeSet":
		// A data version, in decimal without leading zeros.
		if v, err := strconv.ParseUint(key, 10, 64); err != nil || strconv.FormatUint(v, 10) != key || v == 0 {
			return "", "", ErrBadID
		}
	default:
		return "", "", ErrBadID
	}
	return typeName, key, nil
}

// StoreID decodes the key of an entity or relationship global ID.
func StoreID(key string) store.ID {
	v, _ := strconv.ParseUint(key, 16, 64)
	return store.ID(v)
}

// IsEntityType reports whether a global ID's type name is an entity type.
func IsEntityType(typeName string) bool {
	// Enum values ("USE_CASE") are not type names.
	t, ok := domain.EntityTypeNamed(typeName)
	return ok && TypeName(t) == typeName
}
