//! IAM users and their access keys in moto, made and read with boto3 (a real
//! client), for the `hats keys` tests.

use super::*;

/// A long-term access key moto issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MotoKey {
    pub id: String,
    pub secret: String,
}

/// The boto3 clients of a script: `iam` and `sts` against the endpoint in `sys.argv[1]`.
const CLIENTS: &str = "import boto3, sys, json\n\
    kw = dict(endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='AKIASEEDSEEDSEEDSEED', \
    aws_secret_access_key='seed')\n\
    iam = boto3.client('iam', **kw)\n";

impl Moto {
    /// Creates IAM user `user` (in moto's account 123456789012) with one access key.
    pub fn iam_user_with_key(&self, user: &str) -> MotoKey {
        self.python(&format!("{CLIENTS}iam.create_user(UserName='{user}')\n"));
        self.new_access_key(user)
    }

    /// Creates another access key for `user`.
    pub fn new_access_key(&self, user: &str) -> MotoKey {
        let out = self.python(&format!(
            "{CLIENTS}k = iam.create_access_key(UserName='{user}')['AccessKey']\n\
             print(k['AccessKeyId'], k['SecretAccessKey'])\n"
        ));
        let (id, secret) = out.trim().split_once(' ').expect("id and secret");
        MotoKey {
            id: id.to_owned(),
            secret: secret.to_owned(),
        }
    }

    /// The ids of `user`'s access keys, as IAM lists them.
    pub fn access_key_ids(&self, user: &str) -> Vec<String> {
        let out = self.python(&format!(
            "{CLIENTS}print(json.dumps([k['AccessKeyId'] for k in \
             iam.list_access_keys(UserName='{user}')['AccessKeyMetadata']]))\n"
        ));
        let mut ids: Vec<String> = serde_json::from_str(out.trim()).unwrap();
        ids.sort();
        ids
    }

    /// The ARN `GetCallerIdentity` names for `key`: its IAM user while the key
    /// exists, moto's default identity once it is deleted.
    pub fn caller_of(&self, key: &MotoKey) -> String {
        self.python(&format!(
            "import boto3, sys\nsts = boto3.client('sts', endpoint_url=sys.argv[1], region_name='us-east-1', \
             aws_access_key_id='{}', aws_secret_access_key='{}')\nprint(sts.get_caller_identity()['Arn'])\n",
            key.id, key.secret
        ))
        .trim()
        .to_owned()
    }
}

/// The ARN of moto's IAM user `user`.
pub fn user_arn(user: &str) -> String {
    format!("arn:aws:iam::123456789012:user/{user}")
}

/// Every file under `dir` whose bytes contain `needle` ("found nowhere on
/// disk"), and how many files were read.
pub fn files_containing(dir: &Path, needle: &str) -> (Vec<PathBuf>, usize) {
    let (mut found, mut scanned) = (Vec::new(), 0);
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                pending.push(path);
            } else if let (true, Ok(bytes)) = (kind.is_file(), std::fs::read(&path)) {
                scanned += 1;
                if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                    found.push(path);
                }
            }
        }
    }
    (found, scanned)
}
