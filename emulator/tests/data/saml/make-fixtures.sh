#!/bin/sh
# Makes the xmlsec1-signed SAML responses the emulator's verification is
# tested against (emulator/src/federation/saml/tests.rs and
# tests/python/test_sts_federation.py): an identity provider's test key and
# self-signed certificate, its metadata, and responses signed by xmlsec1,
# an XML-DSig implementation independent of the emulator's. Run from this
# folder; needs openssl and xmlsec1 (Debian: apt-get install xmlsec1). The
# results are committed, so tests never need either tool.
set -eu
cd "$(dirname "$0")"
openssl req -x509 -newkey rsa:2048 -nodes -keyout idp-key.pem -out idp-cert.pem \
  -days 36500 -subj "/CN=idp.example.test" 2>/dev/null
cert=$(grep -v -- '-----' idp-cert.pem | tr -d '\n')
cat > idp-metadata.xml <<XML
<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.test/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>$cert</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
XML
# One template per layout: the assertion signed (with white space and a
# comment, which canonicalization must handle), and the response signed.
template() { # $1: where the signature goes (assertion|response)
  sig='<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
      <ds:SignedInfo>
        <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
        <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
        <ds:Reference URI="#REF">
          <ds:Transforms>
            <ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
            <ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="xs"/></ds:Transform>
          </ds:Transforms>
          <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
          <ds:DigestValue/>
        </ds:Reference>
      </ds:SignedInfo>
      <ds:SignatureValue/>
      <ds:KeyInfo><ds:X509Data/></ds:KeyInfo>
    </ds:Signature>'
  if [ "$1" = assertion ]; then a_sig=$(echo "$sig" | sed 's/#REF/#_assertion1/'); r_sig=""; else r_sig=$(echo "$sig" | sed 's/#REF/#_response1/'); a_sig=""; fi
  cat <<XML
<?xml version="1.0" encoding="UTF-8"?>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_response1" Version="2.0" IssueInstant="2025-01-01T00:00:00Z" Destination="https://signin.aws.amazon.com/saml">
  <saml:Issuer>https://idp.example.test/saml</saml:Issuer>
  $r_sig
  <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
  <saml:Assertion xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="_assertion1" Version="2.0" IssueInstant="2025-01-01T00:00:00Z">
    <saml:Issuer>https://idp.example.test/saml</saml:Issuer>
    $a_sig
    <!-- a comment the signature does not cover -->
    <saml:Subject>
      <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">carol@example.test</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData NotOnOrAfter="2099-01-01T00:00:00Z" Recipient="https://signin.aws.amazon.com/saml"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotBefore="2025-01-01T00:00:00Z" NotOnOrAfter="2099-01-01T00:00:00Z">
      <saml:AudienceRestriction><saml:Audience>https://signin.aws.amazon.com/saml</saml:Audience></saml:AudienceRestriction>
    </saml:Conditions>
    <saml:AttributeStatement>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">
        <saml:AttributeValue xsi:type="xs:string">arn:aws:iam::123456789012:role/saml-admins,arn:aws:iam::123456789012:saml-provider/ExampleIdP</saml:AttributeValue>
      </saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
        <saml:AttributeValue xsi:type="xs:string">carol</saml:AttributeValue>
      </saml:Attribute>
      <saml:Attribute Name="urn:oid:1.3.6.1.4.1.5923.1.1.1.1" FriendlyName="eduPersonAffiliation">
        <saml:AttributeValue xsi:type="xs:string">staff &amp; faculty</saml:AttributeValue>
      </saml:Attribute>
    </saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>
XML
}
for layout in assertion response; do
  template "$layout" > "template-$layout.xml"
  xmlsec1 --sign --privkey-pem idp-key.pem,idp-cert.pem \
    --id-attr:ID urn:oasis:names:tc:SAML:2.0:protocol:Response \
    --id-attr:ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion \
    --output "signed-$layout.xml" "template-$layout.xml"
  rm "template-$layout.xml"
done
