// Package models holds the typed request and response models of the five
// vendor APIs, one file per API, with JSON names exactly as on the wire.
//
// Enumerations are open string types: a value the SDK does not know yet
// decodes into the same type instead of failing, since vendors add values
// over time.
package models
