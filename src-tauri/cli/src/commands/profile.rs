//! `wxopen profile …`

use serde_json::json;

use crate::args::ProfileCommand;
use crate::output::{out, Out};
use crate::prompt::read_secret;
use wxopen_core::error::CoreResult;
use wxopen_core::service::profiles::ProfileInput;
use wxopen_core::service::Console;

/// Environment variables `profile add` reads its secrets from.
const ENV_APPSECRET: &str = "WXOPEN_APPSECRET";
const ENV_TOKEN: &str = "WXOPEN_TOKEN";
const ENV_AES_KEY: &str = "WXOPEN_AES_KEY";

pub async fn run(console: &Console, cmd: ProfileCommand) -> CoreResult<Out> {
    match cmd {
        ProfileCommand::Add(a) if a.sandbox => {
            let v = console.profile_add_sandbox(a.name.as_deref()).await?;
            let text = format!(
                "added sandbox profile {} ({}), API base {}\nThe simulator runs inside each wxopen command, so its state does not persist across runs.",
                v.profile.name, v.profile.component_appid, v.profile.api_base
            );
            out(&v, text)
        }
        ProfileCommand::Add(a) => {
            let appid = a.appid.clone().unwrap_or_default();
            let appsecret = read_secret(ENV_APPSECRET, "AppSecret").await?;
            let token = read_secret(ENV_TOKEN, "Message token (消息校验Token)").await?;
            let aes = read_secret(ENV_AES_KEY, "EncodingAESKey (43 characters)").await?;
            // (ProfileInput takes plain strings; the prompt buffers are zeroed on drop)
            let plain = |s: &Option<zeroize::Zeroizing<String>>| s.as_deref().cloned();
            let (appsecret, token, aes) = (plain(&appsecret), plain(&token), plain(&aes));
            let v = console.profile_add(ProfileInput {
                name: a.name.clone().unwrap_or_else(|| appid.clone()),
                component_appid: appid,
                api_base: a.api_base,
                proxy: a.proxy,
                option_v2: a.option_v2,
                appsecret,
                token,
                encoding_aes_key: aes,
                shared: None,
            })?;
            let text = format!(
                "added profile {} ({}){}",
                v.profile.name,
                v.profile.component_appid,
                if v.selected { ", selected" } else { "" }
            );
            out(&v, text)
        }
        ProfileCommand::List => {
            let list = console.profile_list()?;
            let mut text = String::new();
            for v in &list {
                text.push_str(&format!(
                    "{} {:<16} {}  {}{}\n",
                    if v.selected { "*" } else { " " },
                    v.profile.name,
                    v.profile.component_appid,
                    v.profile.api_base,
                    if v.profile.is_sandbox {
                        "  (sandbox)"
                    } else {
                        ""
                    }
                ));
            }
            if list.is_empty() {
                text.push_str("no profiles: add one with `wxopen profile add`");
            }
            out(&list, text)
        }
        ProfileCommand::Remove { name } => {
            console.profile_remove(&name)?;
            out(
                &json!({"removed": name}),
                format!("removed profile {name} and its keychain entries"),
            )
        }
        ProfileCommand::Use { name } => {
            let v = console.profile_select(&name)?;
            out(&v, format!("selected profile {name}"))
        }
    }
}
