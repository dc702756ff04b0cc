//! `hats eks token` (kubectl's exec credential plugin) and `hats eks kubeconfig`
//! (adds a user, cluster and context that call it).

use super::obtain;
use crate::cli::SessionArgs;
use crate::context::{Context, sts_region};
use crate::error::Error;
use crate::history::Handout;
use crate::output::kubeconfig::{KubeEntry, context_name, kubeconfig_path, merge_into_file};
use std::io::Write as _;
use std::path::Path;

/// kubectl caches an ExecCredential until this long after signing: one minute
/// short of the 15 minutes the EKS authenticator accepts a token for.
const TOKEN_LIFETIME: jiff::SignedDuration = jiff::SignedDuration::from_mins(14);

/// Prints a `client.authentication.k8s.io/v1beta1` ExecCredential for `cluster`.
pub async fn eks_token(ctx: &Context, target: &str, cluster: &str, args: &SessionArgs) -> Result<(), Error> {
    check_cluster(cluster)?;
    let (target, session, receipt) = obtain(ctx, target, args).await?;
    let now = ctx.clock.now();
    let region = sts_region(target, args.region.as_deref());
    let endpoint = crate::aws::eks_sts_endpoint(&region);
    let token = crate::aws::eks_token(&session.credentials, cluster, &region, &endpoint, now.into())?;
    // A token made with a session never outlives the session.
    let expires = now
        .saturating_add(TOKEN_LIFETIME)
        .map_or(session.expiration, |t| t.min(session.expiration));
    let expires = jiff::Timestamp::from_second(expires.as_second()).unwrap_or(expires);
    let document = serde_json::json!({
        "kind": "ExecCredential",
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "spec": {},
        "status": { "expirationTimestamp": expires.to_string(), "token": token },
    });
    let mut out = std::io::stdout().lock();
    writeln!(out, "{document}").map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    receipt.record(ctx, target, Handout::Eks);
    Ok(())
}

/// Adds `cluster` at `server`, a user running `hats eks token`, and their
/// context to the kubeconfig, and makes that context current.
pub fn eks_kubeconfig(
    ctx: &Context,
    target: &str,
    cluster: &str,
    server: &str,
    ca_file: Option<&Path>,
) -> Result<(), Error> {
    check_cluster(cluster)?;
    let target = ctx.target(target)?;
    if !server.starts_with("https://") || server.len() == "https://".len() {
        return Err(Error::Usage(format!(
            "the API server \"{server}\" is not an https:// URL; pass the cluster's endpoint, e.g. --server https://ABC.gr7.eu-west-1.eks.amazonaws.com"
        )));
    }
    let ca_pem = ca_file.map(read_ca).transpose()?;
    let hats = super::own_path::invoked_text("the kubeconfig's exec plugin")?;
    let entry = KubeEntry {
        cluster,
        server,
        ca_pem: ca_pem.as_deref(),
        target: &target.name,
        hats: &hats,
    };
    let home = std::env::var_os("HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_default();
    let path = kubeconfig_path(&home);
    merge_into_file(&path, &entry).map_err(|e| Error::Usage(e.to_string()))?;
    eprintln!(
        "hats: context \"{}\" added to {} and made current; try `kubectl get nodes`",
        context_name(&entry),
        path.display()
    );
    Ok(())
}

/// EKS cluster names: 1 to 100 letters, digits, `-` and `_`, starting with a letter or digit.
fn check_cluster(name: &str) -> Result<(), Error> {
    let valid = (1..=100).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "\"{}\" is not an EKS cluster name; use the name `aws eks list-clusters` shows (letters, digits, - and _)",
            name.escape_debug()
        )))
    }
}

fn read_ca(path: &Path) -> Result<String, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Usage(format!(
            "cannot read the CA file \"{}\": {e}; pass the cluster's certificate (PEM)",
            path.display()
        ))
    })?;
    if !text.contains("-----BEGIN CERTIFICATE-----") {
        return Err(Error::Usage(format!(
            "the CA file \"{}\" holds no PEM certificate; pass the cluster's certificate (-----BEGIN CERTIFICATE-----)",
            path.display()
        )));
    }
    Ok(text)
}
