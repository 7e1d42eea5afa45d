package wechatpay

import (
	"strings"
	"testing"
)

func TestNewRefusesAnIncompleteConfig(t *testing.T) {
	e := newEnv(t, byPublicKey)
	good := e.a.cfg
	for name, tc := range map[string]struct {
		change func(*Config)
		want   string
	}{
		"no merchant id":        {func(c *Config) { c.MchID = "" }, "merchant id"},
		"short APIv3 key":       {func(c *Config) { c.APIv3Key = "short" }, "APIv3 key"},
		"no app id":             {func(c *Config) { c.AppID = "" }, "app id"},
		"public key without id": {func(c *Config) { c.PublicKeyID = "" }, "public key"},
		"nothing verifies":      {func(c *Config) { c.PublicKeyID, c.PublicKeyFile = "", "" }, "public key or a platform certificate"},
		"prefix with a dash":    {func(c *Config) { c.TradePrefix = "stg-" }, "trade prefix"},
		"no public URL":         {func(c *Config) { c.PublicURL = "" }, "public URL"},
		"public URL not http":   {func(c *Config) { c.PublicURL = "ftp://shop" }, "public URL"},
		"missing key file":      {func(c *Config) { c.PrivateKeyFile += ".missing" }, "private key"},
		"key file not a key":    {func(c *Config) { c.PrivateKeyFile = c.PublicKeyFile }, "private key"},
		"public key not a key":  {func(c *Config) { c.PublicKeyFile = c.PrivateKeyFile }, "public key"},
		"certificate not one":   {func(c *Config) { c.PlatformCertFiles = []string{c.PublicKeyFile} }, "platform certificate"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := good
			tc.change(&cfg)
			_, err := New(e.pay, e.orders, nil, cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one naming %q", err, tc.want)
			}
		})
	}
	cfg := good
	cfg.NotifyURL, cfg.PublicURL = "", "https://shop.example.com/"
	a, err := New(e.pay, e.orders, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if a.cfg.NotifyURL != "https://shop.example.com/wechatpay/notify" {
		t.Errorf("default notify URL %q", a.cfg.NotifyURL)
	}
}
