package samcheck

import "testing"

// TestTranslatedHistoryTable checks the table internal/history's DynamoStore
// expects, as CloudFormation receives it: its key schema, and TTL on the
// attribute the store writes on entries, key items, delivery records and
// each channel's head (attrTTL there), so an idle channel's counter expires
// with its entries instead of staying forever.
func TestTranslatedHistoryTable(t *testing.T) {
	table, ok := translate(t).Resources["HistoryTable"]
	if !ok || table.Type != "AWS::DynamoDB::Table" {
		t.Fatalf("HistoryTable: %+v, want an AWS::DynamoDB::Table", table)
	}
	ttl := mapAt(table.Properties, "TimeToLiveSpecification")
	if ttl["AttributeName"] != "ttl" || ttl["Enabled"] != true {
		t.Errorf("HistoryTable TimeToLiveSpecification %v: want AttributeName ttl, Enabled true", ttl)
	}
	keys := map[string]string{}
	for _, k := range asList(table.Properties["KeySchema"]) {
		m, _ := k.(map[string]any)
		name, _ := m["AttributeName"].(string)
		keys[name], _ = m["KeyType"].(string)
	}
	if len(keys) != 2 || keys["channel"] != "HASH" || keys["seq"] != "RANGE" {
		t.Errorf("HistoryTable KeySchema %v: want channel HASH, seq RANGE", keys)
	}
}
