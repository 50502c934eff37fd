package invitations

// WithoutSharedPause turns off the pause one 429 puts on every request to
// its API, for benchmarks that compare the load with and without it.
func WithoutSharedPause() Option {
	return func(c *config) error {
		c.noPause = true
		return nil
	}
}
