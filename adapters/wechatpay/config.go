package wechatpay

import (
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth"
	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

func (cfg *Config) check() error {
	switch {
	case cfg.MchID == "" || cfg.MchSerial == "" || cfg.PrivateKeyFile == "":
		return errors.New("wechatpay: merchant id, merchant certificate serial and private key file are required")
	case len(cfg.APIv3Key) != 32:
		return errors.New("wechatpay: the APIv3 key must be the 32 characters set in the 商户平台")
	case cfg.AppID == "":
		return errors.New("wechatpay: the app id of the 公众号 bound to the merchant is required")
	case (cfg.PublicKeyID == "") != (cfg.PublicKeyFile == ""):
		return errors.New("wechatpay: the WeChat Pay public key needs both its id and its file")
	case cfg.PublicKeyID == "" && len(cfg.PlatformCertFiles) == 0:
		return errors.New("wechatpay: a WeChat Pay public key or a platform certificate is required to verify WeChat")
	}
	if !validPrefix.MatchString(cfg.TradePrefix) {
		return errors.New("wechatpay: the trade prefix may be up to 8 letters, digits or _")
	}
	if cfg.PublicURL == "" {
		return errors.New("wechatpay: the public URL is required for the pay links")
	}
	if err := httpURL("public URL", cfg.PublicURL); err != nil {
		return err
	}
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	if cfg.NotifyURL == "" {
		cfg.NotifyURL = cfg.PublicURL + "/wechatpay/notify"
	}
	if err := httpURL("notify URL", cfg.NotifyURL); err != nil {
		return err
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if err := httpURL("API URL", cfg.APIURL); err != nil {
		return err
	}
	if cfg.LinkTTL <= 0 {
		cfg.LinkTTL = defaultLinkTTL
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return nil
}

func httpURL(what, s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("wechatpay: %s %q is not an http(s) URL", what, s)
	}
	return nil
}

// keys are the merchant's signing key and what verifies WeChat.
type keys struct {
	private  *rsa.PrivateKey
	verifier auth.Verifier
}

func loadKeys(cfg Config) (keys, error) {
	private, err := utils.LoadPrivateKeyWithPath(cfg.PrivateKeyFile)
	if err != nil {
		return keys{}, fmt.Errorf("wechatpay: merchant private key %s: %w", cfg.PrivateKeyFile, err)
	}
	var certs []*x509.Certificate
	for _, f := range cfg.PlatformCertFiles {
		c, err := utils.LoadCertificateWithPath(f)
		if err != nil {
			return keys{}, fmt.Errorf("wechatpay: platform certificate %s: %w", f, err)
		}
		// The SDK's verifier asserts an RSA key and would panic on another.
		if _, ok := c.PublicKey.(*rsa.PublicKey); !ok {
			return keys{}, fmt.Errorf("wechatpay: platform certificate %s has no RSA key", f)
		}
		certs = append(certs, c)
	}
	if cfg.PublicKeyID == "" {
		return keys{private, verifiers.NewSHA256WithRSAVerifier(core.NewCertificateMapWithList(certs))}, nil
	}
	public, err := utils.LoadPublicKeyWithPath(cfg.PublicKeyFile)
	if err != nil {
		return keys{}, fmt.Errorf("wechatpay: WeChat Pay public key %s: %w", cfg.PublicKeyFile, err)
	}
	if len(certs) == 0 {
		return keys{private, verifiers.NewSHA256WithRSAPubkeyVerifier(cfg.PublicKeyID, *public)}, nil
	}
	return keys{private, verifiers.NewSHA256WithRSACombinedVerifier(
		core.NewCertificateMapWithList(certs), cfg.PublicKeyID, *public)}, nil
}
