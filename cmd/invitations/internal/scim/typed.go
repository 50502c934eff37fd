package scim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"
)

// User is what the reconciler needs of a SCIM User.
type User struct {
	// ID is the server's id of the user: what groups list as members.
	ID string
	// UserName is the identity provider's unique name of the user.
	UserName string
	// Active is the user's active attribute; a user sent without one is
	// active (RFC 7643 leaves the default to the service provider, and
	// identity providers send active: false to deactivate).
	Active bool
	// Email is the user's address: the primary email's value, else the
	// first work email's, else the first email's, else the userName when
	// it is an email address, else empty (the caller reports the user).
	Email string
	// Deleted is true for a user the identity provider deleted.
	Deleted bool
}

// Group is what the reconciler needs of a SCIM Group.
type Group struct {
	// ID is the server's id of the group.
	ID string
	// DisplayName is the group's name in the identity provider: what the
	// desired-state file maps to roles.
	DisplayName string
	// Members are the ids of the group's users, in the group's order.
	Members []string
}

// userAttributes is the part of a stored User's attributes a User reads.
type userAttributes struct {
	UserName string `json:"userName"`
	Active   *bool  `json:"active"`
	Emails   []struct {
		Value   string `json:"value"`
		Type    string `json:"type"`
		Primary bool   `json:"primary"`
	} `json:"emails"`
}

type groupAttributes struct {
	DisplayName string `json:"displayName"`
	Members     []struct {
		Value string `json:"value"`
	} `json:"members"`
}

// Users returns every user in the store, deleted ones included, in
// creation order.
func Users(ctx context.Context, s Store) ([]User, error) {
	list, err := s.List(ctx, TypeUser, true)
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(list))
	for _, r := range list {
		var a userAttributes
		if err := json.Unmarshal(r.Attributes, &a); err != nil {
			return nil, fmt.Errorf("scim: user %s: %w", r.ID, err)
		}
		out = append(out, User{
			ID:       r.ID,
			UserName: a.UserName,
			Active:   a.Active == nil || *a.Active,
			Email:    a.email(),
			Deleted:  r.Deleted,
		})
	}
	return out, nil
}

func (a userAttributes) email() string {
	for _, e := range a.Emails {
		if e.Primary && strings.TrimSpace(e.Value) != "" {
			return strings.TrimSpace(e.Value)
		}
	}
	for _, e := range a.Emails {
		if strings.EqualFold(e.Type, "work") && strings.TrimSpace(e.Value) != "" {
			return strings.TrimSpace(e.Value)
		}
	}
	for _, e := range a.Emails {
		if strings.TrimSpace(e.Value) != "" {
			return strings.TrimSpace(e.Value)
		}
	}
	if addr, err := mail.ParseAddress(a.UserName); err == nil && addr.Address == a.UserName {
		return a.UserName
	}
	return ""
}

// Groups returns the live groups in the store, in creation order.
func Groups(ctx context.Context, s Store) ([]Group, error) {
	list, err := s.List(ctx, TypeGroup, false)
	if err != nil {
		return nil, err
	}
	out := make([]Group, 0, len(list))
	for _, r := range list {
		var a groupAttributes
		if err := json.Unmarshal(r.Attributes, &a); err != nil {
			return nil, fmt.Errorf("scim: group %s: %w", r.ID, err)
		}
		g := Group{ID: r.ID, DisplayName: a.DisplayName, Members: []string{}}
		for _, m := range a.Members {
			if m.Value != "" {
				g.Members = append(g.Members, m.Value)
			}
		}
		out = append(out, g)
	}
	return out, nil
}
