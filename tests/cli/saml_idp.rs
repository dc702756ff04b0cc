//! A stand-in identity provider for SAML tests: builds base64 `SAMLResponse`s
//! the way IdPs shape them (a `samlp:Response` holding a `saml:Assertion` with
//! an `AttributeStatement`), unsigned: moto checks no signature, and neither does hats.

use base64::Engine as _;

pub const PROVIDER: &str = "arn:aws:iam::123456789012:saml-provider/CorpIdP";

/// What goes into one assertion.
pub struct Idp<'a> {
    /// Role ARNs, each paired with [`PROVIDER`].
    pub roles: &'a [&'a str],
    /// `SessionDuration` in seconds, if any.
    pub session_duration: Option<u32>,
    /// `NotOnOrAfter` (RFC 3339).
    pub not_on_or_after: &'a str,
}

impl Idp<'_> {
    /// The XML of the response.
    pub fn xml(&self) -> String {
        let roles: String = self
            .roles
            .iter()
            .map(|role| format!("<saml:AttributeValue>{role},{PROVIDER}</saml:AttributeValue>"))
            .collect();
        let duration = self.session_duration.map_or(String::new(), |d| {
            format!(
                "<saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/SessionDuration\">\
                 <saml:AttributeValue>{d}</saml:AttributeValue></saml:Attribute>"
            )
        });
        let until = self.not_on_or_after;
        format!(
            "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
             xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_r1\" Version=\"2.0\">\
             <saml:Assertion ID=\"_a1\" Version=\"2.0\">\
             <saml:Subject><saml:NameID>alice@corp.example</saml:NameID>\
             <saml:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">\
             <saml:SubjectConfirmationData NotOnOrAfter=\"{until}\" Recipient=\"https://signin.aws.amazon.com/saml\"/>\
             </saml:SubjectConfirmation></saml:Subject>\
             <saml:Conditions NotOnOrAfter=\"{until}\"/>\
             <saml:AttributeStatement>\
             <saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/RoleSessionName\">\
             <saml:AttributeValue>alice@corp.example</saml:AttributeValue></saml:Attribute>\
             <saml:Attribute Name=\"https://aws.amazon.com/SAML/Attributes/Role\">{roles}</saml:Attribute>\
             {duration}</saml:AttributeStatement></saml:Assertion></samlp:Response>"
        )
    }

    /// The base64 `SAMLResponse`, as an IdP CLI prints it.
    pub fn base64(&self) -> String {
        encode(&self.xml())
    }
}

pub fn encode(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// An hour from now, so the assertion is valid while the test runs.
pub fn in_an_hour() -> String {
    (crate::harness::now() + jiff::SignedDuration::from_hours(1)).to_string()
}

/// How an identity provider shapes (and signs) its `SAMLResponse`: the same
/// grant — one role, its session name and length — written as each sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Okta: `saml2p:`/`saml2:` prefixes, `xsi:type="xs:string"` on every
    /// value, and the response itself signed.
    Okta,
    /// AD FS: default namespaces on the response and the assertion, untyped
    /// values, and the assertion signed.
    Adfs,
    /// Entra ID: a `samlp:` response around an `Assertion` in the default
    /// namespace, the assertion signed.
    Entra,
    /// Any identity provider set to encrypt assertions for AWS: the attributes
    /// are inside an `EncryptedAssertion`.
    Encrypted,
}

/// The saml-provider, role, session name and grant every shape carries.
pub struct Grant<'a> {
    pub role: &'a str,
    pub session_name: &'a str,
    pub session_duration: u32,
    pub not_on_or_after: &'a str,
}

const PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const TYPES: &str = "xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" \
                     xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

/// An XML-DSig template for xmlsec1 to fill in: an enveloped signature of the
/// element with `ID="{id}"`, as identity providers sign (exclusive c14n, RSA-SHA256).
fn signature_template(id: &str) -> String {
    format!(
        "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo>\
         <ds:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>\
         <ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>\
         <ds:Reference URI=\"#{id}\"><ds:Transforms>\
         <ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>\
         <ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></ds:Transforms>\
         <ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><ds:DigestValue/>\
         </ds:Reference></ds:SignedInfo><ds:SignatureValue/>\
         <ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo></ds:Signature>"
    )
}

impl Grant<'_> {
    /// The attribute statement's content, with element prefix `p` (empty for
    /// the default namespace) and `typed` values.
    fn attributes(&self, p: &str, typed: bool) -> String {
        let value = |text: &str| {
            let kind = if typed { " xsi:type=\"xs:string\"" } else { "" };
            format!("<{p}AttributeValue{kind}>{text}</{p}AttributeValue>")
        };
        let attribute = |name: &str, text: &str| {
            format!(
                "<{p}Attribute Name=\"https://aws.amazon.com/SAML/Attributes/{name}\">{}</{p}Attribute>",
                value(text)
            )
        };
        [
            attribute("Role", &format!("{},{PROVIDER}", self.role)),
            attribute("RoleSessionName", self.session_name),
            attribute("SessionDuration", &self.session_duration.to_string()),
        ]
        .concat()
    }

    /// The assertion's subject, conditions and attributes (prefix `p`).
    fn assertion_body(&self, p: &str, typed: bool) -> String {
        let until = self.not_on_or_after;
        format!(
            "<{p}Subject><{p}NameID>{name}</{p}NameID>\
             <{p}SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">\
             <{p}SubjectConfirmationData NotOnOrAfter=\"{until}\" Recipient=\"https://signin.aws.amazon.com/saml\"/>\
             </{p}SubjectConfirmation></{p}Subject>\
             <{p}Conditions NotOnOrAfter=\"{until}\"><{p}AudienceRestriction>\
             <{p}Audience>urn:amazon:webservices</{p}Audience></{p}AudienceRestriction></{p}Conditions>\
             <{p}AttributeStatement>{attributes}</{p}AttributeStatement>",
            name = self.session_name,
            attributes = self.attributes(p, typed),
        )
    }

    /// The response XML as `shape` writes it, with signature templates where it signs.
    pub fn unsigned_xml(&self, shape: Shape) -> String {
        let issuer = "http://idp.corp.example/";
        match shape {
            Shape::Okta => format!(
                "<saml2p:Response xmlns:saml2p=\"{PROTOCOL}\" ID=\"id_response\" Version=\"2.0\" \
                 Destination=\"https://signin.aws.amazon.com/saml\">\
                 <saml2:Issuer xmlns:saml2=\"{ASSERTION}\">{issuer}</saml2:Issuer>{signature}\
                 <saml2p:Status><saml2p:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></saml2p:Status>\
                 <saml2:Assertion xmlns:saml2=\"{ASSERTION}\" {TYPES} ID=\"id_assertion\" Version=\"2.0\">\
                 <saml2:Issuer>{issuer}</saml2:Issuer>{body}</saml2:Assertion></saml2p:Response>",
                signature = signature_template("id_response"),
                body = self.assertion_body("saml2:", true),
            ),
            Shape::Adfs => format!(
                "<Response xmlns=\"{PROTOCOL}\" ID=\"_response\" Version=\"2.0\">\
                 <Issuer xmlns=\"{ASSERTION}\">{issuer}</Issuer>\
                 <Status><StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></Status>\
                 <Assertion xmlns=\"{ASSERTION}\" ID=\"_assertion\" Version=\"2.0\">\
                 <Issuer>{issuer}</Issuer>{signature}{body}</Assertion></Response>",
                signature = signature_template("_assertion"),
                body = self.assertion_body("", false),
            ),
            Shape::Entra => format!(
                "<samlp:Response xmlns:samlp=\"{PROTOCOL}\" ID=\"_response\" Version=\"2.0\">\
                 <Issuer xmlns=\"{ASSERTION}\">{issuer}</Issuer>\
                 <samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>\
                 <Assertion xmlns=\"{ASSERTION}\" ID=\"_assertion\" Version=\"2.0\">\
                 <Issuer>{issuer}</Issuer>{signature}{body}</Assertion></samlp:Response>",
                signature = signature_template("_assertion"),
                body = self.assertion_body("", false),
            ),
            Shape::Encrypted => format!(
                "<saml2p:Response xmlns:saml2p=\"{PROTOCOL}\" ID=\"id_response\" Version=\"2.0\">\
                 <saml2:Issuer xmlns:saml2=\"{ASSERTION}\">{issuer}</saml2:Issuer>\
                 <saml2:EncryptedAssertion xmlns:saml2=\"{ASSERTION}\">\
                 <xenc:EncryptedData xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\" \
                 Type=\"http://www.w3.org/2001/04/xmlenc#Element\">\
                 <xenc:EncryptionMethod Algorithm=\"http://www.w3.org/2009/xmlenc11#aes256-gcm\"/>\
                 <xenc:CipherData><xenc:CipherValue>{cipher}</xenc:CipherValue></xenc:CipherData>\
                 </xenc:EncryptedData></saml2:EncryptedAssertion></saml2p:Response>",
                cipher = encode(&self.assertion_body("saml2:", true)),
            ),
        }
    }
}

/// A signing identity provider: a key and self-signed certificate made with
/// openssl, signatures made and checked by xmlsec1 (the reference XML-DSig tool).
pub struct Signer {
    dir: std::path::PathBuf,
}

/// The ID attributes xmlsec1 must know to resolve `#id` references in SAML.
const ID_ATTRIBUTES: [&str; 4] = [
    "--id-attr:ID",
    "urn:oasis:names:tc:SAML:2.0:protocol:Response",
    "--id-attr:ID",
    "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
];

impl Signer {
    pub fn new(dir: &std::path::Path) -> Self {
        crate::harness::require("openssl", "openssl");
        std::fs::create_dir_all(dir).unwrap();
        let made = std::process::Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"])
            .args([
                "-subj",
                "/CN=idp.corp.example",
                "-keyout",
                "key.pem",
                "-out",
                "cert.pem",
            ])
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
        Self { dir: dir.to_owned() }
    }

    fn xmlsec1(&self, args: &[&str], xml: &str) -> std::process::Output {
        let xmlsec1 = crate::harness::require("xmlsec1", "xmlsec1");
        std::fs::write(self.dir.join("in.xml"), xml).unwrap();
        std::process::Command::new(xmlsec1)
            .args(args)
            .args(ID_ATTRIBUTES)
            .arg("in.xml")
            .current_dir(&self.dir)
            .output()
            .unwrap()
    }

    /// `xml` with every signature template filled in.
    pub fn sign(&self, xml: &str) -> String {
        let out = self.xmlsec1(&["--sign", "--privkey-pem", "key.pem,cert.pem"], xml);
        assert!(
            out.status.success(),
            "xmlsec1 --sign: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Whether the signature in `xml` checks out against the certificate.
    pub fn verifies(&self, xml: &str) -> bool {
        self.xmlsec1(&["--verify", "--pubkey-cert-pem", "cert.pem"], xml)
            .status
            .success()
    }
}
