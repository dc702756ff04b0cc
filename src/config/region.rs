//! The form of an AWS region name, checked before it reaches an endpoint or an export.
//!
//! Only the form is checked, not a list: new regions open every year and hats must
//! not refuse one it has not heard of. A region is lowercase words and a number
//! joined by hyphens (`eu-west-1`, `us-gov-west-1`, `us-isob-east-1`,
//! `eusc-de-east-1`).

/// Checks `raw` has the form of a region name; the error says what was wrong.
pub fn check_region(raw: &str) -> Result<(), String> {
    if is_region(raw) {
        return Ok(());
    }
    Err(format!(
        "region \"{}\" is not a region name such as eu-west-1 or us-gov-west-1 \
         (lowercase words and a number joined by hyphens)",
        super::printable(raw)
    ))
}

fn is_region(raw: &str) -> bool {
    // Checked once per target (an organization's thousands): no allocation.
    let Some((words, last)) = raw.rsplit_once('-') else {
        return false;
    };
    let letters = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    // At least one word between the area and the number: `eu-west-1`, never `eu-1`.
    words.contains('-')
        && words.split('-').all(letters)
        && !last.is_empty()
        && last.len() <= 3
        && last.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_partitions_region_form_is_accepted() {
        for region in [
            "us-east-1",
            "eu-central-2",
            "ap-northeast-3",
            "me-central-1",
            "af-south-1",
            "il-central-1",
            "mx-central-1",
            "us-gov-west-1",
            "cn-north-1",
            "cn-northwest-1",
            "us-iso-east-1",
            "us-isob-east-1",
            "eusc-de-east-1",
        ] {
            assert_eq!(check_region(region), Ok(()), "{region}");
        }
    }

    #[test]
    fn what_is_not_a_region_name_is_refused_with_the_value_quoted() {
        for bad in [
            "",
            "eu west 1",
            "eu-west",
            "EU-WEST-1",
            "eu-west-1 ",
            "eu--1",
            "-eu-west-1",
            "eu-west-1-",
            "eu-1",
            "eu-west-x",
            "eu-west-1\n",
            "eu_west_1",
            "eu-west-12345",
        ] {
            assert!(check_region(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check_region("eu west 1").unwrap_err(),
            "region \"eu west 1\" is not a region name such as eu-west-1 or us-gov-west-1 \
             (lowercase words and a number joined by hyphens)"
        );
        assert!(
            check_region("eu-west-1\u{1b}[2J")
                .unwrap_err()
                .contains("\\u{1b}")
        );
    }
}
